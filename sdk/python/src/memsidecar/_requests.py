"""Request messages built from the SDK's Python arguments — one place for the sync and asyncio clients."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from memsidecar._core import DurationLike, TimeLike, as_bytes, duration, enum, message, timestamp
from memsidecar.artifact.v1 import artifact_pb2
from memsidecar.episodic.v1 import episodic_pb2
from memsidecar.graph.v1 import graph_pb2
from memsidecar.kv.v1 import kv_pb2
from memsidecar.lease.v1 import lease_pb2
from memsidecar.recall.v1 import recall_pb2
from memsidecar.semantic.v1 import semantic_pb2

Metadata = Mapping[str, str]


def _set(msg: Any, **fields: Any) -> Any:
    """Sets the message fields that are not None (message fields by CopyFrom)."""
    for name, value in fields.items():
        if value is None:
            continue
        field = getattr(msg, name)
        if hasattr(field, "CopyFrom") and not isinstance(value, (list, tuple, dict)):
            field.CopyFrom(value)
        elif isinstance(value, Mapping):
            field.update(value)
        elif isinstance(value, (list, tuple)):
            field.extend(value)
        else:
            setattr(msg, name, value)
    return msg


def kv_put(namespace: str, key: str, value: bytes | str, ttl: DurationLike | None, content_type: str,
           metadata: Metadata | None, if_version: int | None) -> kv_pb2.PutRequest:
    return _set(kv_pb2.PutRequest(namespace=namespace, key=key, value=as_bytes(value), content_type=content_type),
                ttl=duration(ttl), metadata=metadata, if_version=if_version)


def kv_delete(namespace: str, key: str, if_version: int | None) -> kv_pb2.DeleteRequest:
    return _set(kv_pb2.DeleteRequest(namespace=namespace, key=key), if_version=if_version)


def kv_txn(namespace: str, compare: Iterable[Any], success: Iterable[Any], failure: Iterable[Any]) -> kv_pb2.TxnRequest:
    return kv_pb2.TxnRequest(namespace=namespace, compare=[message(kv_pb2.TxnCompare, c) for c in compare],
                             success=[message(kv_pb2.TxnOp, o) for o in success],
                             failure=[message(kv_pb2.TxnOp, o) for o in failure])


def kv_scan(namespace: str, key_prefix: str, limit: int, include_values: bool, start_after: str) -> kv_pb2.ScanRequest:
    return kv_pb2.ScanRequest(namespace=namespace, key_prefix=key_prefix, limit=limit,
                              include_values=include_values, start_after=start_after)


def ep_append(namespace: str, type: str, payload: bytes | str, metadata: Metadata | None, role: str,
              session_id: str, dedup_key: str, supersedes: Sequence[str] | None,
              source: str) -> episodic_pb2.AppendRequest:
    return _set(episodic_pb2.AppendRequest(namespace=namespace, type=type, payload=as_bytes(payload), role=role,
                                           session_id=session_id, dedup_key=dedup_key, source=source),
                metadata=metadata, supersedes=list(supersedes) if supersedes else None)


def ep_range(namespace: str, after_cursor: int, before_cursor: int, limit: int, reverse: bool,
             after_time: TimeLike | None, before_time: TimeLike | None, include_deleted: bool, session_id: str,
             role: str, type: str) -> episodic_pb2.RangeRequest:
    return _set(episodic_pb2.RangeRequest(namespace=namespace, after_cursor=after_cursor,
                                          before_cursor=before_cursor, limit=limit, reverse=reverse,
                                          include_deleted=include_deleted, session_id=session_id, role=role,
                                          type=type),
                after_time=timestamp(after_time), before_time=timestamp(before_time))


def ep_expire(namespace: str, action: int | str | None, max_rows: int, before_cursor: int,
              before_time: TimeLike | None) -> episodic_pb2.ExpireRequest:
    return _set(episodic_pb2.ExpireRequest(namespace=namespace, max_rows=max_rows, before_cursor=before_cursor,
                                           action=enum(episodic_pb2.ExpireAction, "EXPIRE_ACTION_", action)),
                before_time=timestamp(before_time))


def sem_upsert(namespace: str, records: Iterable[Any]) -> semantic_pb2.UpsertRequest:
    return semantic_pb2.UpsertRequest(namespace=namespace,
                                      records=[message(semantic_pb2.Record, r) for r in records])


def sem_search(namespace: str, query_text: str, query_vector: Sequence[float] | None, top_k: int,
               filter: Metadata | None, predicates: Sequence[Any] | None, created_after: TimeLike | None,
               created_before: TimeLike | None, mode: int | str | None, rerank_candidate_k: int,
               include_payload: bool, include_vector: bool, as_of: TimeLike | None, include_invalidated: bool,
               ids_only: bool) -> semantic_pb2.SearchRequest:
    return _set(semantic_pb2.SearchRequest(namespace=namespace, query_text=query_text, top_k=top_k,
                                           mode=enum(semantic_pb2.SearchMode, "SEARCH_MODE_", mode),
                                           rerank_candidate_k=rerank_candidate_k, include_payload=include_payload,
                                           include_vector=include_vector, include_invalidated=include_invalidated,
                                           ids_only=ids_only),
                query_vector=list(query_vector) if query_vector else None, filter=filter,
                predicates=[message(semantic_pb2.FieldPredicate, p) for p in predicates] if predicates else None,
                created_after=timestamp(created_after), created_before=timestamp(created_before),
                as_of=timestamp(as_of))


def sem_get(namespace: str, id: str, include_payload: bool, include_vector: bool, include_invalidated: bool,
            as_of: TimeLike | None) -> semantic_pb2.GetRequest:
    return _set(semantic_pb2.GetRequest(namespace=namespace, id=id, include_payload=include_payload,
                                        include_vector=include_vector, include_invalidated=include_invalidated),
                as_of=timestamp(as_of))


def sem_expire(namespace: str, action: int | str | None, max_rows: int,
               filter: Metadata | None) -> semantic_pb2.ExpireRequest:
    return _set(semantic_pb2.ExpireRequest(namespace=namespace, max_rows=max_rows,
                                           action=enum(semantic_pb2.ExpireAction, "EXPIRE_ACTION_", action)),
                filter=filter)


def art_init(namespace: str, id: str, content_type: str, metadata: Metadata | None, expected_size: int | None,
             expected_sha256: str) -> artifact_pb2.PutRequest:
    init = _set(artifact_pb2.PutInit(namespace=namespace, id=id, content_type=content_type,
                                     expected_sha256=expected_sha256),
                metadata=metadata, expected_size=expected_size)
    return artifact_pb2.PutRequest(init=init)


def art_list(namespace: str, filter: Metadata | None, start_after: str, limit: int) -> artifact_pb2.ListRequest:
    return _set(artifact_pb2.ListRequest(namespace=namespace, start_after=start_after, limit=limit), filter=filter)


def lease_acquire(namespace: str, key: str, ttl: DurationLike, wait_for: DurationLike | None,
                  metadata: Metadata | None) -> lease_pb2.AcquireRequest:
    return _set(lease_pb2.AcquireRequest(namespace=namespace, key=key), ttl=duration(ttl),
                wait_for=duration(wait_for), metadata=metadata)


def lease_renew(holder_id: str, namespace: str, key: str, ttl: DurationLike | None) -> lease_pb2.RenewRequest:
    return _set(lease_pb2.RenewRequest(holder_id=holder_id, namespace=namespace, key=key), ttl=duration(ttl))


def graph_nodes(namespace: str, nodes: Iterable[Any]) -> graph_pb2.UpsertNodesRequest:
    return graph_pb2.UpsertNodesRequest(namespace=namespace, nodes=[message(graph_pb2.Node, n) for n in nodes])


def graph_edges(namespace: str, edges: Iterable[Any]) -> graph_pb2.UpsertEdgesRequest:
    return graph_pb2.UpsertEdgesRequest(namespace=namespace, edges=[_edge(e) for e in edges])


def _edge(e: Any) -> graph_pb2.Edge:
    if isinstance(e, Mapping):
        # "from" is a Python keyword: accept from_ as well in dicts built with dict(from_=…)
        fields = dict(e)
        times = {k: timestamp(fields.pop(k)) for k in ("valid_from", "valid_to") if k in fields}
        if "from_" in fields:
            fields["from"] = fields.pop("from_")
        edge = graph_pb2.Edge(**{k: v for k, v in fields.items() if k != "from"})
        setattr(edge, "from", fields.get("from", ""))
        return _set(edge, **times)
    return message(graph_pb2.Edge, e)


def graph_neighbors(namespace: str, node_id: str, edge_types: Sequence[str] | None, direction: int | str | None,
                    node_labels: Sequence[str] | None, limit: int,
                    as_of: TimeLike | None) -> graph_pb2.NeighborsRequest:
    return _set(graph_pb2.NeighborsRequest(namespace=namespace, node_id=node_id, limit=limit,
                                           direction=enum(graph_pb2.Direction, "DIRECTION_", direction)),
                edge_types=list(edge_types) if edge_types else None,
                node_labels=list(node_labels) if node_labels else None, as_of=timestamp(as_of))


def graph_traverse(namespace: str, start_id: str, edge_types: Sequence[str] | None, direction: int | str | None,
                   depth: int, max_nodes: int, as_of: TimeLike | None) -> graph_pb2.TraverseRequest:
    return _set(graph_pb2.TraverseRequest(namespace=namespace, start_id=start_id, depth=depth, max_nodes=max_nodes,
                                          direction=enum(graph_pb2.Direction, "DIRECTION_", direction)),
                edge_types=list(edge_types) if edge_types else None, as_of=timestamp(as_of))


def recall(semantic_namespace: str, query_text: str, query_vector: Sequence[float] | None, graph_namespace: str,
           focal_node_ids: Sequence[str] | None, expand_depth: int | None, edge_types: Sequence[str] | None,
           direction: int | str | None, top_k: int, filter: Metadata | None, predicates: Sequence[Any] | None,
           as_of: TimeLike | None, weights: Mapping[str, float] | None, mmr_lambda: float | None, explain: bool,
           include_subgraph: bool, include_payload: bool, candidate_k: int, seed_k: int, max_nodes: int,
           rrf_k: int | None) -> recall_pb2.RecallRequest:
    unknown = set(weights or {}) - {"dense", "lexical", "graph", "recency"}
    if unknown:
        raise ValueError(f"weights: unknown lane(s) {sorted(unknown)}; lanes are dense, lexical, graph, recency")
    return _set(recall_pb2.RecallRequest(semantic_namespace=semantic_namespace, query_text=query_text,
                                         graph_namespace=graph_namespace, top_k=top_k,
                                         direction=enum(graph_pb2.Direction, "DIRECTION_", direction),
                                         explain=explain, include_subgraph=include_subgraph,
                                         include_payload=include_payload, candidate_k=candidate_k, seed_k=seed_k,
                                         max_nodes=max_nodes),
                query_vector=list(query_vector) if query_vector else None,
                focal_node_ids=list(focal_node_ids) if focal_node_ids else None, expand_depth=expand_depth,
                edge_types=list(edge_types) if edge_types else None, filter=filter,
                predicates=[message(semantic_pb2.FieldPredicate, p) for p in predicates] if predicates else None,
                as_of=timestamp(as_of), weights=recall_pb2.LaneWeights(**weights) if weights else None,
                mmr_lambda=mmr_lambda, rrf_k=rrf_k)
