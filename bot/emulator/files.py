"""Files the bot uploads (sendDocument), kept as Telegram keeps them: under a file_id that the
bot may send again instead of the file, with their bytes for tests to read back."""

from __future__ import annotations

import hashlib
import itertools
import mimetypes

from bot.emulator.models import StoredDocument, Upload, bad_request
from bot.emulator.params import Params

_ATTACH = "attach://"


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
