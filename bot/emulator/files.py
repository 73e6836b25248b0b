"""Files the bot uploads (sendDocument, sendPhoto), kept as Telegram keeps them: under a file_id
that the bot may send again instead of the file, with their bytes for tests to read back; a photo
also as the sizes Telegram makes of it."""

from __future__ import annotations

import hashlib
import io
import itertools
import mimetypes

from PIL import Image

from bot.emulator.models import JsonDict, StoredDocument, Upload, bad_request
from bot.emulator.params import Params

_ATTACH = "attach://"
_SMALLER = (90, 320, 800)  # the longer side of the copies Telegram makes of a photo
_LARGEST = 1280  # and of the photo itself, scaled down if larger


class FileStore:
    def __init__(self) -> None:
        self.by_id: dict[str, StoredDocument] = {}
        self._ids = itertools.count(1)

    def receive(self, params: Params, field: str) -> StoredDocument:
        """The file a call sends in `field`: uploaded in the request (directly, or as
        ``attach://<part>``), or the file_id of one uploaded before."""
        value = params.raw(field)
        if isinstance(value, str) and value.startswith(_ATTACH):
            value = params.raw(value.removeprefix(_ATTACH))
        if isinstance(value, Upload):
            return self._keep(value)
        if value in (None, ""):
            raise bad_request(f"there is no {field} in the request")
        known = self.by_id.get(str(value))
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return known

    def _keep(self, upload: Upload) -> StoredDocument:
        if not upload.data:
            raise bad_request("file must be non-empty")
        # Telegram's unique id is the same for the same file; its file_id differs per upload.
        unique = "AgAD" + hashlib.sha256(upload.data).hexdigest()[:12]
        guessed, _ = mimetypes.guess_type(upload.filename)
        document = StoredDocument(
            file_id=f"BQACAgIAAxkD{next(self._ids):06d}{unique}",
            file_unique_id=unique,
            file_name=upload.filename,
            mime_type=guessed or upload.content_type or "application/octet-stream",
            content=upload.data,
        )
        self.by_id[document.file_id] = document
        return document


def photo_sizes(photo: StoredDocument) -> list[JsonDict]:
    """The PhotoSize objects Telegram makes of an uploaded picture, smallest first; the largest
    keeps the upload's file_id. Not a picture, too large or too thin: refused as by Telegram."""
    try:
        with Image.open(io.BytesIO(photo.content)) as image:
            width, height = image.size
    except OSError as err:  # Pillow's "cannot identify image file" is an OSError
        raise bad_request("IMAGE_PROCESS_FAILED") from err
    if width + height > 10_000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    limits = [*(side for side in _SMALLER if max(width, height) > side), _LARGEST]
    return [_size(photo, width, height, side, side == _LARGEST) for side in limits]


def _size(photo: StoredDocument, width: int, height: int, side: int, largest: bool) -> JsonDict:
    scale = min(1.0, side / max(width, height))
    return {
        "file_id": photo.file_id if largest else f"{photo.file_id}_{side}",
        "file_unique_id": photo.file_unique_id if largest else f"{photo.file_unique_id}{side}",
        "width": max(1, round(width * scale)),
        "height": max(1, round(height * scale)),
        "file_size": max(1, round(len(photo.content) * scale * scale)),
    }
