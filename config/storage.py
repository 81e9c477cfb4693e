"""Where uploaded files are kept: the local disk, or an S3-compatible bucket shared by every instance.

One web server can keep uploads on its disk; several servers (or several Kubernetes pods) must share
them, so with `MEDIA_STORAGE_URL` (or the usual `AWS_STORAGE_BUCKET_NAME` + `AWS_*` variables) the
files go to a bucket through django-storages. The bucket stays private: browsers get a file only
from the portal's permission-checked views, which stream it or, when `MEDIA_SIGNED_URL_SECONDS` is
set, answer with a signed URL that expires after that many seconds.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
# Query parameters of MEDIA_STORAGE_URL, named as django-storages names its options.
URL_OPTIONS = ("endpoint_url", "region_name", "addressing_style", "signature_version")
# Larger files are spooled to a temporary file instead of memory while a worker streams them.
SPOOL_TO_DISK_BYTES = 2 * 1024 * 1024


def media_storage(environ, *, signed_url_seconds: int) -> dict:
    """The STORAGES["default"] entry for this environment.

    MEDIA_STORAGE_URL: s3://[ACCESS_KEY:SECRET_KEY@]BUCKET[/PREFIX][?endpoint_url=...&region_name=...]
    (keys URL-encoded; without them boto3 reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the
    pod's role). Without it, AWS_STORAGE_BUCKET_NAME with AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME,
    AWS_LOCATION. Without either, the local disk (MEDIA_ROOT).
    """
    url = environ.get("MEDIA_STORAGE_URL", "")
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if url:
        options = _options_from_url(url)
    elif bucket:
        options = {
            "bucket_name": bucket,
            "location": environ.get("AWS_LOCATION", ""),
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        }
    else:
        if signed_url_seconds:
            raise ImproperlyConfigured("MEDIA_SIGNED_URL_SECONDS needs media on S3 (MEDIA_STORAGE_URL)")
        return {"BACKEND": FILESYSTEM_BACKEND}
    # An S3-compatible server of our own (MinIO, Ceph, moto) is addressed by path, not by a DNS name per bucket.
    if options.get("endpoint_url") and not options.get("addressing_style"):
        options["addressing_style"] = "path"
    options.update(
        {
            # Private: no ACL is set (objects stay as private as the bucket), and every URL handed out
            # is signed and short-lived.
            "querystring_auth": True,
            "querystring_expire": signed_url_seconds or 60,
            "signature_version": options.get("signature_version") or "s3v4",
            # Stored names are random; checking for a clash would cost a request per upload.
            "file_overwrite": True,
            "max_memory_size": SPOOL_TO_DISK_BYTES,
        }
    )
    return {"BACKEND": S3_BACKEND, "OPTIONS": {key: value for key, value in options.items() if value is not None}}


def _options_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured("MEDIA_STORAGE_URL must look like s3://[KEY:SECRET@]BUCKET[/PREFIX][?endpoint_url=...]")
    query = parse_qs(parts.query)
    unknown = set(query) - set(URL_OPTIONS)
    if unknown:
        raise ImproperlyConfigured(f"MEDIA_STORAGE_URL: unknown option(s) {', '.join(sorted(unknown))}; known: {', '.join(URL_OPTIONS)}")
    options = {
        # urlsplit lower-cases the host; bucket names are lower-case anyway (S3 naming rules).
        "bucket_name": parts.hostname,
        "location": parts.path.strip("/"),
        "access_key": unquote(parts.username) if parts.username else None,
        "secret_key": unquote(parts.password) if parts.password else None,
    }
    options.update({name: values[-1] for name, values in query.items()})
    return options


def is_bucket(storage) -> bool:
    """True for the S3 backend, which can hand out signed URLs."""
    return hasattr(storage, "bucket_name") and hasattr(storage, "querystring_expire")
