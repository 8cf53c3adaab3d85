"""Function code: the node's `code` folder zipped deterministically, or a placeholder handler.

The zip has fixed timestamps and sorted entries, so its hash only changes when the code
does (a re-apply then leaves the function alone).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from model.errors import StratusError

_EPOCH = (1980, 1, 1, 0, 0, 0)

# Runtime family -> (file extension, source of a handler that answers 200 with its name).
# `{function}` is the handler's function name (the part after the dot of `handler`).
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "python": (".py", "import json\n\n\ndef {function}(event, context):\n"
                      "    return {{\"statusCode\": 200, \"body\": json.dumps({{\"node\": \"{node}\"}})}}\n"),
    "nodejs": (".js", "exports.{function} = async () => ({{ statusCode: 200, "
                      "body: JSON.stringify({{ node: \"{node}\" }}) }});\n"),
    "ruby": (".rb", "require 'json'\n\ndef {function}(event:, context:)\n"
                    "  {{ statusCode: 200, body: {{ node: '{node}' }}.to_json }}\nend\n"),
}


@dataclass(frozen=True)
class Package:
    zip_bytes: bytes
    sha256: str
    placeholder: bool
    warning: str = ""


def runtime_family(runtime: str) -> str:
    return "".join(c for c in runtime.split(".")[0] if c.isalpha())


def package(node_id: str, config: dict, design_dir: str | os.PathLike | None) -> Package:
    """The zip to upload for a function node."""
    code = config.get("code")
    if code:
        folder = Path(design_dir or ".") / code
        if not folder.is_dir():
            raise StratusError(f"node '{node_id}': code folder {folder} does not exist")
        files = {str(p.relative_to(folder)).replace(os.sep, "/"): p.read_bytes()
                 for p in sorted(folder.rglob("*")) if p.is_file()}
        return _package(files, placeholder=False)
    return _placeholder(node_id, config)


def _placeholder(node_id: str, config: dict) -> Package:
    runtime = config["runtime"]
    module, _, function = config.get("handler", "index.handler").rpartition(".")
    family = runtime_family(runtime)
    if family not in PLACEHOLDERS:
        # Compiled runtimes (Java, .NET, custom) need a built package: the function is
        # created so the wiring can be checked, but invoking it fails until code is given.
        note = (f"node '{node_id}': no placeholder for {runtime}; give the node a `code` "
                "folder with a built package before invoking it")
        return _package({"README.txt": (note + "\n").encode()}, placeholder=True, warning=note)
    ext, template = PLACEHOLDERS[family]
    source = template.format(function=function or "handler", node=node_id)
    return _package({(module or "index").replace(".", "/") + ext: source.encode()}, placeholder=True)


def _package(files: dict[str, bytes], placeholder: bool, warning: str = "") -> Package:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    data = buffer.getvalue()
    return Package(data, hashlib.sha256(data).hexdigest(), placeholder, warning)
