"""Download and extract the xlsa17 benchmark (Xian et al.): resumable, verified and atomic."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import urllib.error
import urllib.request
import zipfile
import zlib
from email.message import Message
from http.client import HTTPException
from pathlib import Path, PureWindowsPath

from zsl_utils.errors import DownloadError
from zsl_utils.utils import progress_bar

__all__ = ["XLSA17_URL", "XLSA17_DATASETS", "XLSA17_MEMBERS", "download_xlsa17", "is_xlsa17_complete"]

XLSA17_URL = "https://datasets.d2.mpi-inf.mpg.de/xian/xlsa17.zip"
XLSA17_DATASETS = ("AWA1", "AWA2", "CUB", "SUN", "APY")
XLSA17_MEMBERS = tuple(
    f"xlsa17/data/{name}/{file}" for name in XLSA17_DATASETS for file in ("res101.mat", "att_splits.mat")
)

_ARCHIVE = "xlsa17.zip"
_PART = "xlsa17.zip.part"
_FOLDER = "xlsa17"
_STAGING = ".xlsa17.extracting"
_MARKER = ".complete"
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


def is_xlsa17_complete(root: str | os.PathLike[str]) -> bool:
    """Whether ``root/xlsa17`` holds a finished extraction: the marker and every expected member."""
    root = Path(root)
    if not (root / _FOLDER / _MARKER).is_file():
        return False
    return all((root / member).is_file() for member in XLSA17_MEMBERS)


def download_xlsa17(
    root: str | os.PathLike[str],
    url: str = XLSA17_URL,
    sha256: str | None = None,
    keep_archive: bool = False,
    chunk_size: int = 1 << 20,
    timeout: float = 60,
    dataset: str | None = None,
) -> Path:
    """Fetch and extract the xlsa17 archive into ``root``; return ``root/xlsa17/data``.

    Does nothing (and touches no network) when the data is already complete. An interrupted download is kept
    as ``root/xlsa17.zip.part`` and resumed with an HTTP Range request on the next call. The archive is
    checked (optional SHA-256 pin, zip CRCs, expected members, safe member paths) before anything is
    extracted; a corrupt archive is removed and raises DownloadError. Extraction goes through a staging folder
    inside ``root`` and replaces any incomplete ``root/xlsa17`` only once it has finished.

    Args:
        root: folder receiving the archive and the extracted ``xlsa17`` folder (created if missing).
        url: where to fetch the archive from.
        sha256: expected hex SHA-256 digest of the archive, or None to skip the pin.
        keep_archive: keep ``root/xlsa17.zip`` after a successful extraction.
        chunk_size: bytes read per network read.
        timeout: socket timeout in seconds for connecting and for each read.
        dataset: the benchmark the user asked for (the archive holds all five), named in the errors' retry hint.
    """
    root = Path(root)
    data = root / _FOLDER / "data"
    if is_xlsa17_complete(root):
        return data
    root.mkdir(parents=True, exist_ok=True)
    retry = f"rerun `zsl-course download {dataset}`" if dataset else "call download_xlsa17 again"
    archive = root / _ARCHIVE
    if not archive.is_file():
        part = root / _PART
        _fetch(url, part, chunk_size, timeout, retry)
        os.replace(part, archive)
    with _open_verified(archive, sha256, retry) as zf:
        _extract(zf, root)
    if not keep_archive:
        archive.unlink()
    return data


def _fetch(url: str, part: Path, chunk_size: int, timeout: float, retry: str) -> None:
    """Download ``url`` into ``part``, resuming from its current size; raise DownloadError (ending with how to
    ``retry``) if incomplete."""
    offset = part.stat().st_size if part.is_file() else 0
    headers = {"User-Agent": "zsl-course"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as err:
        err.close()
        if err.code == 416 and offset:
            if _range_total(err.headers.get("Content-Range")) == offset:
                return
            part.unlink()
            _fetch(url, part, chunk_size, timeout, retry)
            return
        raise DownloadError(
            f"the server refused {url}: HTTP {err.code} {err.reason}; check the url and your network, then {retry}"
        ) from err
    except (OSError, HTTPException) as err:
        raise _interrupted(url, part, err, retry) from err
    with response:
        if response.status == 206:
            start, total = _parse_content_range(response.headers, offset)
            if start != offset:
                part.unlink()
                raise DownloadError(
                    f"the server resumed {url} at byte {start} instead of {offset}; the partial file {part} "
                    f"was removed, {retry} to download from scratch"
                )
        else:
            offset = 0
            total = _content_length(response.headers)
        read = getattr(response, "read1", response.read)
        with (
            part.open("ab" if offset else "wb") as out,
            progress_bar(
                total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024, desc=_ARCHIVE
            ) as bar,
        ):
            while True:
                try:
                    chunk = read(chunk_size)
                except (OSError, HTTPException) as err:
                    raise _interrupted(url, part, err, retry) from err
                if not chunk:
                    break
                out.write(chunk)
                bar.update(len(chunk))
    size = part.stat().st_size
    if total is not None and size != total:
        raise _interrupted(url, part, f"connection closed after {size} of {total} bytes", retry)


def _interrupted(url: str, part: Path, cause: object, retry: str) -> DownloadError:
    """The error for a network failure: any partial file stays for the next call to resume."""
    saved = (
        f"the partial file {part} ({part.stat().st_size} bytes) is kept and the next call resumes it"
        if part.is_file()
        else "nothing was saved yet"
    )
    return DownloadError(f"downloading {url} failed ({cause}); {saved}: check your network, then {retry}")


def _content_length(headers: Message) -> int | None:
    """The Content-Length of a reply, or None when absent or malformed."""
    value = headers.get("Content-Length")
    return int(value) if value is not None and value.isdigit() else None


def _parse_content_range(headers: Message, offset: int) -> tuple[int, int | None]:
    """(first byte, total size) of a 206 reply; ``offset`` + Content-Length when Content-Range is absent."""
    header = headers.get("Content-Range")
    match = _CONTENT_RANGE.fullmatch(header.strip()) if header else None
    if match is None:
        length = _content_length(headers)
        return offset, None if length is None else offset + length
    total = match.group(3)
    return int(match.group(1)), None if total == "*" else int(total)


def _range_total(header: str | None) -> int | None:
    """The total size in a 416 reply's ``Content-Range: bytes */N``, or None."""
    match = re.fullmatch(r"bytes\s+\*/(\d+)", header.strip()) if header else None
    return int(match.group(1)) if match else None


def _corrupt(archive: Path, problem: str, retry: str) -> DownloadError:
    """Remove the archive (and any partial download) and return the error telling how to recover."""
    archive.unlink(missing_ok=True)
    archive.with_name(_PART).unlink(missing_ok=True)
    return DownloadError(f"the archive {archive} was corrupt ({problem}); it was removed, {retry} to fetch it anew")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unsafe(name: str) -> str | None:
    """Why a member name would escape the extraction folder, or None when it is safe."""
    path = PureWindowsPath(name)
    if path.drive:
        return "a drive letter or UNC prefix"
    if path.root:
        return "an absolute path"
    if ".." in path.parts:
        return "a '..' component"
    return None


def _open_verified(archive: Path, sha256: str | None, retry: str) -> zipfile.ZipFile:
    """Open ``archive`` after checking its digest, structure, member paths, expected members and CRCs."""
    if sha256 is not None:
        expected, actual = sha256.strip().lower(), _sha256(archive)
        if actual != expected:
            raise _corrupt(archive, f"SHA-256 mismatch: expected {expected}, got {actual}", retry)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise _corrupt(archive, f"not a readable zip file: {err}", retry) from err
    try:
        problem = _zip_problem(zf)
    except BaseException:
        zf.close()
        raise
    if problem is not None:
        zf.close()
        raise _corrupt(archive, problem, retry)
    return zf


def _zip_problem(zf: zipfile.ZipFile) -> str | None:
    """What makes an opened archive unusable (unsafe path, missing member, bad CRC), or None."""
    names = zf.namelist()
    for name in names:
        reason = _unsafe(name)
        if reason is not None:
            return f"member {name!r} escapes the target folder ({reason}); nothing was extracted"
    present = set(names)
    missing = [member for member in XLSA17_MEMBERS if member not in present]
    if missing:
        return f"missing expected members: {', '.join(missing)}"
    try:
        bad = zf.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as err:
        return f"unreadable member data: {err}"
    return None if bad is None else f"CRC check failed for member {bad!r}"


def _extract(zf: zipfile.ZipFile, root: Path) -> None:
    """Extract into a staging folder inside ``root``, write the marker, then move ``xlsa17`` into place."""
    staging = root / _STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for info in zf.infolist():
            zf.extract(info, staging)
        (staging / _FOLDER / _MARKER).write_text(f"{len(zf.infolist())} members extracted\n")
        target = root / _FOLDER
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging / _FOLDER, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
