"""Refusing a pupils' file over 20 MB while it streams in, before the rest of the request body is read."""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from .siecle import MAX_FILE_BYTES, too_big_message

# The form's other fields and the multipart headers around the file: a request declaring more than the file's
# limit plus this is refused at its first chunk.
FORM_OVERHEAD_BYTES = 64 * 1024


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of the request's upload handlers: stops the upload as soon as a file passes MAX_FILE_BYTES.

    The rest of the body is never read (StopUpload with connection_reset); `request.upload_refused` then holds
    the French message that the view shows on the form.
    """

    def __init__(self, request=None, limit=MAX_FILE_BYTES):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.declared_too_big = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared_too_big = content_length > self.limit + FORM_OVERHEAD_BYTES
        # None: the other handlers parse the body as usual.

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.declared_too_big or self.received > self.limit:
            self.request.upload_refused = too_big_message()
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file
