"""MkDocs hook: the RPC reference page (reference/rpc.md), generated at build time from proto/ —
every service, method, message, field and enum with its comments — so it cannot drift from the
contract. protoc is grpcio-tools' (pinned in docs/requirements.txt)."""
from __future__ import annotations

import pathlib
import tempfile

from google.protobuf import descriptor_pb2
from grpc_tools import protoc
from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROTO = ROOT / "proto" / "src" / "main" / "proto"
SCALARS = {
    1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 8: "bool", 9: "string", 12: "bytes",
    13: "uint32", 17: "sint32", 18: "sint64", 6: "fixed64", 7: "fixed32", 15: "sfixed32", 16: "sfixed64",
}


def _descriptors() -> descriptor_pb2.FileDescriptorSet:
    files = sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))
    import grpc_tools

    include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "set.pb"
        code = protoc.main(["protoc", f"-I{PROTO}", f"-I{include}", "--include_source_info",
                            f"--descriptor_set_out={out}", *files])
        if code != 0:
            raise RuntimeError(f"protoc failed ({code}) on {files}")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def _comments(f: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    out = {}
    for loc in f.source_code_info.location:
        text = (loc.leading_comments or loc.trailing_comments).strip()
        if text:
            out[tuple(loc.path)] = " ".join(line.strip() for line in text.splitlines())
    return out


def _type(field: descriptor_pb2.FieldDescriptorProto, maps: dict[str, descriptor_pb2.DescriptorProto]) -> str:
    if field.type_name and field.type_name in maps:
        entry = maps[field.type_name]
        return f"map<{_type(entry.field[0], maps)}, {_type(entry.field[1], maps)}>"
    name = field.type_name.lstrip(".") if field.type_name else SCALARS.get(field.type, "?")
    if field.label == field.LABEL_REPEATED:
        return f"repeated {name}"
    if field.proto3_optional:
        return f"optional {name}"
    return name


def render() -> str:
    fds = _descriptors()
    ours = [f for f in fds.file if f.package.startswith("memsidecar.")]
    lines = ["# RPC reference", "",
             "Generated from `proto/` when the site is built: every service of the wire contract, its methods, "
             "messages, fields and enums. Each method is also served by the HTTP/JSON gateway at "
             "`POST /<package>.<Service>/<Method>` (protobuf JSON, bytes as base64); streams answer one JSON object "
             "per line.", ""]
    for f in sorted(ours, key=lambda f: f.package):
        comments = _comments(f)
        maps = {}
        for i, m in enumerate(f.message_type):
            for n in m.nested_type:
                if n.options.map_entry:
                    maps[f".{f.package}.{m.name}.{n.name}"] = n
        for si, s in enumerate(f.service):
            lines += [f"## {s.name} — `{f.package}`", ""]
            if (c := comments.get((6, si))):
                lines += [c, ""]
            lines += ["| method | request | response | gateway |", "|---|---|---|---|"]
            for mi, m in enumerate(s.method):
                req = ("stream " if m.client_streaming else "") + m.input_type.split(".")[-1]
                res = ("stream " if m.server_streaming else "") + m.output_type.split(".")[-1]
                note = comments.get((6, si, 2, mi), "")
                lines.append(f"| `{m.name}`{' — ' + note if note else ''} | [{req}](#{f.package.replace('.', '')}"
                             f"{m.input_type.split('.')[-1].lower()}) | [{res}](#{f.package.replace('.', '')}"
                             f"{m.output_type.split('.')[-1].lower()}) | `POST /{f.package}.{s.name}/{m.name}` |")
            lines.append("")
        lines += [f"### Messages of `{f.package}`", ""]
        for mi, m in enumerate(f.message_type):
            lines += [f"#### {f.package}.{m.name}", ""]
            if (c := comments.get((4, mi))):
                lines += [c, ""]
            if not m.field:
                lines += ["(no fields)", ""]
                continue
            lines += ["| field | type | tag | notes |", "|---|---|---|---|"]
            for fi, fld in enumerate(m.field):
                note = comments.get((4, mi, 2, fi), "").replace("|", "\\|")
                oneof = f"one of `{m.oneof_decl[fld.oneof_index].name}`" if fld.HasField("oneof_index") and not fld.proto3_optional else ""
                notes = "; ".join(x for x in (oneof, note) if x)
                lines.append(f"| `{fld.json_name}` (`{fld.name}`) | `{_type(fld, maps)}` | {fld.number} | {notes} |")
            lines.append("")
        for ei, e in enumerate(f.enum_type):
            lines += [f"#### {f.package}.{e.name} (enum)", ""]
            if (c := comments.get((5, ei))):
                lines += [c, ""]
            lines += ["| value | number |", "|---|---|"] + [f"| `{v.name}` | {v.number} |" for v in e.value] + [""]
    return "\n".join(lines) + "\n"


def on_files(files, config):
    files.append(File.generated(config, "reference/rpc.md", content=render()))
    return files
