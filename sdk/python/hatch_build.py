"""Generates the protobuf message modules from the repository's proto/ when the package is built.

The .proto files are read from ../../proto/src/main/proto (a checkout) or ./proto (an sdist).
The modules land beside the hand-written code (memsidecar/<block>/v1/<block>_pb2.py, with .pyi
stubs), since the proto packages are memsidecar.<block>.v1; they are build outputs, not sources.
"""

from __future__ import annotations

import pathlib

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ProtoBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = pathlib.Path(self.root)
        for candidate in (root / "../../proto/src/main/proto", root / "proto"):
            if (candidate / "memsidecar").is_dir():
                proto_root = candidate.resolve()
                break
        else:
            raise RuntimeError("memsidecar: no proto/ directory found to generate the messages from")
        protos = sorted(str(p.relative_to(proto_root)) for p in proto_root.rglob("*.proto"))
        from grpc_tools import protoc  # a build requirement
        import grpc_tools

        include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
        out = root / "src"
        status = protoc.main(["protoc", f"-I{proto_root}", f"-I{include}",
                              f"--python_out={out}", f"--pyi_out={out}", *protos])
        if status != 0:
            raise RuntimeError(f"memsidecar: protoc failed ({status})")
        build_data["artifacts"].extend(
            str(p.relative_to(root)) for p in (out / "memsidecar").glob("*/v1/*_pb2.py*"))
