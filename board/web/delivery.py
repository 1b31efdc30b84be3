"""Pages and static files over slow venue Wi-Fi: gzipped, cached by browsers, versioned.

Entry points (the stylesheet, the page modules) are linked with ``?v=<content hash>`` and
cached for a year; anything else (modules imported by relative path) is revalidated with
its ETag each visit, which costs a tiny 304 instead of the file.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_SIZE = 512


def without_comments(text: str, filename: str) -> str:
    """Our stylesheets and scripts without their comments, which are for the people reading
    the source, not for a phone on slow Wi-Fi (a third of a script's bytes, gzipped).

    CSS loses every ``/* ... */``. A script loses only the lines that are a comment from
    their first character on (``//`` lines and ``/* ... */`` blocks opening a line), never
    inside a template literal; anything else (a comment after code) stays as written.
    Vendored files are left as they came.
    """
    if filename.startswith("vendor/"):
        return text
    if filename.endswith(".css"):
        return re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    if not filename.endswith((".js", ".mjs")):
        return text
    kept: list[str] = []
    ticks = 0  # backticks so far: odd inside a template literal
    in_block = False
    for line in text.split("\n"):
        if in_block:
            if "*/" in line:
                in_block = False
                rest = line.split("*/", 1)[1]
                if rest.strip():
                    kept.append(rest)
                    ticks += rest.count("`")
            continue
        start = line.lstrip()
        if ticks % 2 == 0 and start.startswith("//"):
            continue
        if ticks % 2 == 0 and start.startswith("/*"):
            if "*/" not in start[2:]:
                in_block = True
                continue
            if not start[2:].split("*/", 1)[1].strip():
                continue
        kept.append(line)
        ticks += line.count("`")
    return "\n".join(kept)


def served(root: Path, filename: str) -> bytes:
    """A static file's bytes as browsers get them: our stylesheets and scripts without
    their comments (``without_comments``), anything else as it is."""
    data = (root / filename).read_bytes()
    if filename.endswith((".css", ".js", ".mjs")):
        return without_comments(data.decode("utf-8"), filename).encode("utf-8")
    return data


def write_served(root: Path, folder: Path) -> list[str]:
    """Write every static file under ``root`` as browsers get it into ``folder`` (for a
    proxy that serves the files itself: docs/DEPLOY.md); the files written, relative to
    ``folder``. Files in ``folder`` that ``root`` no longer has are removed."""
    written: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        filename = path.relative_to(root).as_posix()
        target = folder / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(served(root, filename))
        written.append(filename)
    kept = set(written)
    for old in sorted(folder.rglob("*"), reverse=True):
        name = old.relative_to(folder).as_posix()
        if old.is_file() and name not in kept:
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()
    return written


class StaticDelivery:
    """Content hashes for versioned URLs and a cache of gzipped static files."""

    def __init__(self, app: Flask) -> None:
        self.root = Path(app.static_folder or "")
        self._lock = threading.Lock()
        self._hashes: dict[str, tuple[float, str]] = {}
        self._gzipped: dict[str, tuple[float, bytes]] = {}
        app.url_defaults(self._add_version)
        app.after_request(self._compress)

    def version(self, filename: str) -> str:
        """A short hash of the file's content (recomputed when the file changes)."""
        path = self.root / filename
        mtime = path.stat().st_mtime
        with self._lock:
            known = self._hashes.get(filename)
            if known and known[0] == mtime:
                return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        with self._lock:
            self._hashes[filename] = (mtime, digest)
        return digest

    def _add_version(self, endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            filename = values.get("filename", "")
            if (self.root / filename).is_file():
                values["v"] = self.version(filename)

    def _compress(self, response: Response) -> Response:
        if request.endpoint != "static":
            return self._compress_page(response)
        if response.status_code != 200:
            return response
        if request.args.get("v"):
            response.cache_control.public = True
            response.cache_control.max_age = 365 * 24 * 3600
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        response.vary.add("Accept-Encoding")
        if (
            "gzip" not in request.headers.get("Accept-Encoding", "")
            or not (response.mimetype or "").startswith(COMPRESSIBLE)
            or "Content-Encoding" in response.headers
        ):
            return response
        filename = request.view_args.get("filename", "") if request.view_args else ""
        path = self.root / filename
        mtime = path.stat().st_mtime
        with self._lock:
            cached = self._gzipped.get(filename)
        if cached is None or cached[0] != mtime:
            if path.stat().st_size < MIN_SIZE:
                return response
            data = served(self.root, filename)
            cached = (mtime, gzip.compress(data, compresslevel=9, mtime=0))
            with self._lock:
                self._gzipped[filename] = cached
        etag, _weak = response.get_etag()
        if etag:
            response.set_etag(etag, weak=True)  # the gzipped bytes are a variant of the file
        response.close()  # the file send_file opened: we answer from the cache instead
        response.direct_passthrough = False
        response.set_data(cached[1])
        response.headers["Content-Encoding"] = "gzip"
        return response

    @staticmethod
    def _compress_page(response: Response) -> Response:
        """Gzip HTML pages too: a busy board's page is mostly repetitive markup.

        Pages reflect no attacker-chosen text next to their secrets (query values are
        matched against fixed lists), which is what a compression side channel needs.
        """
        if (
            response.mimetype != "text/html"
            or response.direct_passthrough
            or "Content-Encoding" in response.headers
            or "gzip" not in request.headers.get("Accept-Encoding", "")
        ):
            return response
        body = response.get_data()
        if len(body) < MIN_SIZE:
            return response
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response
