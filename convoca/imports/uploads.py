"""An upload handler that stops keeping a file as soon as it passes
``IMPORT_MAX_BYTES``: an oversized upload is never held in memory or on disk."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.IMPORT_MAX_BYTES
        self.received = 0
        self.too_big = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            raise SkipFile()  # Django reads past the rest of this file without storing it
        return raw_data  # hand the chunk on to the memory / temporary-file handler

    def file_complete(self, file_size):
        return None
