"""`zsl_course.download` against a local HTTP server that serves a tiny xlsa17-shaped archive."""

from __future__ import annotations

import hashlib
import io
import re
import socket
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from zsl_course.download import XLSA17_MEMBERS, download_xlsa17, is_xlsa17_complete
from zsl_utils.errors import DownloadError

EXTRA_MEMBERS = ("xlsa17/README.txt", "xlsa17/data/AWA2/allclasses.txt")


def member_bytes(name: str) -> bytes:
    """Distinct, recognisable contents per member, so a flipped byte lands inside one member's data."""
    return (name.encode() + b"|") * 40


def make_zip(names: tuple[str, ...] = XLSA17_MEMBERS + EXTRA_MEMBERS, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name in names:
            zf.writestr(zipfile.ZipInfo(name), member_bytes(name), compress_type=compression)
    return buffer.getvalue()


GOOD_ZIP = make_zip()


@dataclass
class Server:
    """What the handler serves and what it saw."""

    url: str = ""
    payload: bytes = GOOD_ZIP
    ignore_range: bool = False
    drop_after: int | None = None
    stall_s: float = 0.0
    ranges: list[str | None] = field(default_factory=list)


class Handler(BaseHTTPRequestHandler):
    """Serves ``Server.payload``, honouring ``Range: bytes=N-`` unless told to ignore it."""

    def do_GET(self) -> None:
        state: Server = self.server.state  # type: ignore[attr-defined]
        requested = self.headers.get("Range")
        state.ranges.append(requested)
        body, start = state.payload, 0
        if requested and not state.ignore_range:
            start = int(re.fullmatch(r"bytes=(\d+)-", requested).group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        chunk = body[start:]
        self.send_header("Content-Length", str(len(chunk)))
        self.end_headers()
        if state.drop_after is not None:
            self.wfile.write(chunk[: state.drop_after])
            state.drop_after = None
            time.sleep(state.stall_s)
            self.close_connection = True
            return
        self.wfile.write(chunk)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state = Server(url=f"http://127.0.0.1:{httpd.server_address[1]}/xlsa17.zip")
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "root"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/xlsa17.zip"


def assert_extracted(root: Path, data: Path) -> None:
    assert data == root / "xlsa17" / "data"
    for name in XLSA17_MEMBERS + EXTRA_MEMBERS:
        assert (root / name).read_bytes() == member_bytes(name)
    assert (root / "xlsa17" / ".complete").is_file()
    assert is_xlsa17_complete(root)
    assert not (root / "xlsa17.zip.part").exists()
    assert not (root / ".xlsa17.extracting").exists()


def assert_nothing_complete(root: Path) -> None:
    assert not (root / "xlsa17.zip").exists()
    assert not (root / "xlsa17.zip.part").exists()
    assert not (root / "xlsa17").exists()
    assert not (root / ".xlsa17.extracting").exists()
    assert not is_xlsa17_complete(root)


def download(root: Path, server: Server, **kwargs: object) -> Path:
    return download_xlsa17(root, url=server.url, chunk_size=256, timeout=5, **kwargs)


@pytest.mark.parametrize("keep_archive", [False, True])
def test_full_download_and_extraction(root: Path, server: Server, keep_archive: bool) -> None:
    data = download(root, server, keep_archive=keep_archive)
    assert_extracted(root, data)
    assert server.ranges == [None]
    assert (root / "xlsa17.zip").exists() == keep_archive
    if keep_archive:
        assert (root / "xlsa17.zip").read_bytes() == GOOD_ZIP


def test_resume_after_interruption(root: Path, server: Server) -> None:
    cut = 1000
    server.drop_after = cut
    with pytest.raises(
        DownloadError, match=r"(?s)is kept.*resumes.*check your network, then call download_xlsa17 again"
    ):
        download(root, server)  # called from Python: the hint says so
    assert (root / "xlsa17.zip.part").stat().st_size == cut
    assert not (root / "xlsa17.zip").exists()
    assert not (root / "xlsa17").exists()

    data = download(root, server, keep_archive=True)
    assert server.ranges == [None, f"bytes={cut}-"]
    assert (root / "xlsa17.zip").read_bytes() == GOOD_ZIP
    assert_extracted(root, data)


def test_server_ignoring_range_restarts_from_zero(root: Path, server: Server) -> None:
    root.mkdir()
    (root / "xlsa17.zip.part").write_bytes(b"stale bytes from another file" * 3)
    server.ignore_range = True
    data = download(root, server, keep_archive=True)
    assert server.ranges == ["bytes=87-"]
    assert (root / "xlsa17.zip").read_bytes() == GOOD_ZIP
    assert_extracted(root, data)


def test_complete_part_file_is_finished_without_refetching(root: Path, server: Server) -> None:
    root.mkdir()
    (root / "xlsa17.zip.part").write_bytes(GOOD_ZIP)
    data = download(root, server)
    assert server.ranges == [f"bytes={len(GOOD_ZIP)}-"]
    assert_extracted(root, data)


def flipped_crc_zip() -> bytes:
    payload = bytearray(make_zip(compression=zipfile.ZIP_STORED))
    at = payload.index(member_bytes("xlsa17/data/CUB/res101.mat")) + 50
    payload[at] ^= 0xFF
    return bytes(payload)


@pytest.mark.parametrize(
    "payload",
    [flipped_crc_zip(), b"<html>502 Bad Gateway</html>", GOOD_ZIP[: len(GOOD_ZIP) // 2]],
    ids=["crc", "not-zip", "truncated"],
)
def test_corrupt_archive_is_removed(root: Path, server: Server, payload: bytes) -> None:
    server.payload = payload
    with pytest.raises(DownloadError, match=r"(?s)corrupt.*removed, rerun `zsl-course download SUN` to fetch it anew"):
        download(root, server, dataset="SUN")  # the retry hint names the dataset asked for
    assert_nothing_complete(root)

    server.payload = GOOD_ZIP
    assert_extracted(root, download(root, server))


def test_sha256_pin(root: Path, server: Server) -> None:
    actual = hashlib.sha256(GOOD_ZIP).hexdigest()
    with pytest.raises(DownloadError, match=f"(?s)expected {'0' * 64}, got {actual}.*removed"):
        download(root, server, sha256="0" * 64)
    assert_nothing_complete(root)

    assert_extracted(root, download(root, server, sha256=actual.upper()))


@pytest.mark.parametrize(
    "evil",
    ["../evil.txt", "xlsa17/../../evil.txt", "ABSOLUTE", "C:/evil.txt", "C:evil.txt", "\\\\host\\share\\evil.txt"],
)
def test_path_traversal_member_is_rejected(root: Path, server: Server, tmp_path: Path, evil: str) -> None:
    if evil == "ABSOLUTE":
        evil = str(tmp_path / "abs_evil.txt")
    server.payload = make_zip(XLSA17_MEMBERS + (evil,))
    with pytest.raises(DownloadError, match="escapes the target folder"):
        download(root, server)
    assert_nothing_complete(root)
    assert list(tmp_path.rglob("*evil*")) == []


def test_second_call_uses_no_network(root: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    data = download(root, server)

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("download_xlsa17 touched the network although the data is complete")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert download_xlsa17(root, url=closed_port_url()) == data
    assert server.ranges == [None]


def test_missing_member_is_rejected(root: Path, server: Server) -> None:
    server.payload = make_zip(tuple(name for name in XLSA17_MEMBERS if name != "xlsa17/data/CUB/att_splits.mat"))
    with pytest.raises(DownloadError, match="missing expected members: xlsa17/data/CUB/att_splits.mat"):
        download(root, server)
    assert_nothing_complete(root)


def test_unreachable_server_keeps_partial_file(root: Path) -> None:
    root.mkdir()
    (root / "xlsa17.zip.part").write_bytes(GOOD_ZIP[:100])
    with pytest.raises(DownloadError, match=r"(?s)\(100 bytes\) is kept.*resumes"):
        download_xlsa17(root, url=closed_port_url(), timeout=5)
    assert (root / "xlsa17.zip.part").read_bytes() == GOOD_ZIP[:100]


def test_stalled_read_times_out(root: Path, server: Server) -> None:
    server.drop_after, server.stall_s = 500, 1.0
    with pytest.raises(DownloadError, match="is kept"):
        download_xlsa17(root, url=server.url, chunk_size=256, timeout=0.2)
    assert (root / "xlsa17.zip.part").stat().st_size == 500
    assert not (root / "xlsa17.zip").exists()


def test_interrupted_extraction_leaves_no_folder(root: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    extract = zipfile.ZipFile.extract
    calls = 0

    def failing_extract(self: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> str:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("No space left on device")
        return extract(self, member, path)

    monkeypatch.setattr(zipfile.ZipFile, "extract", failing_extract)
    with pytest.raises(OSError, match="No space left"):
        download(root, server)
    assert not (root / "xlsa17").exists()
    assert not (root / ".xlsa17.extracting").exists()
    assert (root / "xlsa17.zip").read_bytes() == GOOD_ZIP

    monkeypatch.setattr(zipfile.ZipFile, "extract", extract)
    assert_extracted(root, download(root, server))
    assert server.ranges == [None]


def test_incomplete_folder_is_not_complete_and_is_replaced(root: Path, server: Server) -> None:
    partial = root / "xlsa17" / "data" / "AWA1"
    partial.mkdir(parents=True)
    (partial / "res101.mat").write_bytes(b"half")
    assert not is_xlsa17_complete(root)
    assert_extracted(root, download(root, server))
