"""Citizens' rights over their personal data (UU No. 27 Tahun 2022): a copy of it, and erasure.

Erasure keeps the account row, emptied of everything personal, so counts that depend on it (one
support or rating per citizen) stay exact; public contributions lose their author (NULL) and show
as "Warga (akun dihapus)"; the history tables are scrubbed in the same transaction.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.exceptions import WrongPassword
from accounts.models import User, WorkUnitMembership
from audit.events import record
from audit.models import AuditEvent

DELETED_EMAIL_DOMAIN = "akun-dihapus.invalid"

# Sent inside delete_account's transaction with `user` (already emptied): apps that keep rows about
# a person (follows, notifications, ...) remove them here, so erasure needs no list of every app.
account_erased = Signal()
TARGET_KINDS = {"proposal": "usulan", "program": "program", "consultation": "uji_publik", "comment": "komentar"}


def deleted_email(user_id: int) -> str:
    """A unique, non-personal address for an erased account (the .invalid domain can never receive mail)."""
    return f"akun-{user_id}@{DELETED_EMAIL_DOMAIN}"


def is_deleted(user) -> bool:
    return bool(user.email) and user.email.endswith("@" + DELETED_EMAIL_DOMAIN)


# --- export --------------------------------------------------------------------------------------


def _when(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _target(model_name: str, object_id: int) -> dict:
    return {"jenis": TARGET_KINDS.get(model_name, model_name), "id": object_id}


def export_personal_data(*, user) -> dict:
    """Everything the portal holds about `user`, as JSON-ready data: profile, contributions, security log."""
    from allauth.account.models import EmailAddress

    from consultations.models import Response
    from participation.models import Attachment, Comment, Flag, Proposal, Support
    from programs.models import Rating

    region = user.region
    profile = {
        "id": user.pk,
        "email": user.email,
        "nama_lengkap": user.full_name,
        "telepon": user.phone,
        "wilayah": {"kode": region.code, "nama": region.name} if region else None,
        "terdaftar": _when(user.date_joined),
        "terakhir_masuk": _when(user.last_login),
        "persetujuan_kebijakan_privasi": _when(user.privacy_consent_at),
        "peran": sorted(user.groups.values_list("name", flat=True)),
        "satuan_kerja": [
            {"satuan_kerja": short_name, "sejak": _when(since)}
            for short_name, since in WorkUnitMembership.objects.filter(user=user)
            .order_by("created_at")
            .values_list("work_unit__short_name", "created_at")
        ],
    }
    emails = [
        {"email": email, "utama": primary, "terverifikasi": verified}
        for email, primary, verified in EmailAddress.objects.filter(user=user)
        .order_by("-primary", "email")
        .values_list("email", "primary", "verified")
    ]
    attachments: dict[int, list] = {}
    for proposal_id, name, kind, size in (
        Attachment.objects.filter(proposal__author=user).order_by("id").values_list("proposal_id", "original_name", "kind", "size")
    ):
        attachments.setdefault(proposal_id, []).append({"nama_berkas": name, "jenis": kind, "ukuran_byte": size})
    proposals = [
        {
            "id": row["id"],
            "judul": row["title"],
            "uraian": row["description"],
            "kategori": row["category__name"],
            "satuan_kerja": row["work_unit__short_name"],
            "wilayah": row["region__name"],
            "lokasi": row["location_text"],
            "perkiraan_biaya": row["estimated_cost"],
            "volume": row["volume"],
            "status": row["status"],
            "dibuat": _when(row["created_at"]),
            "diajukan": _when(row["submitted_at"]),
            "dipublikasikan": _when(row["published_at"]),
            "alasan_penolakan": row["rejection_reason"],
            "jawaban_resmi": row["official_answer"],
            "disembunyikan": row["is_hidden"],
            "lampiran": attachments.get(row["id"], []),
        }
        for row in Proposal.objects.filter(author=user)
        .order_by("created_at", "id")
        .values(
            "id", "title", "description", "category__name", "work_unit__short_name", "region__name", "location_text",
            "estimated_cost", "volume", "status", "created_at", "submitted_at", "published_at", "rejection_reason",
            "official_answer", "is_hidden",
        )  # fmt: skip
    ]
    comments = [
        {
            "id": row["id"],
            "pada": _target(row["content_type__model"], row["object_id"]),
            "balasan_untuk": row["parent_id"],
            "isi": row["body"],
            "dihapus": row["is_deleted"],
            "disembunyikan": row["is_hidden"],
            "ditulis": _when(row["created_at"]),
            "diubah": _when(row["edited_at"]),
        }
        for row in Comment.objects.filter(author=user)
        .order_by("created_at", "id")
        .values("id", "content_type__model", "object_id", "parent_id", "body", "is_deleted", "is_hidden", "created_at", "edited_at")
    ]
    supports = [
        {"usulan_id": proposal_id, "usulan": title, "waktu": _when(created_at)}
        for proposal_id, title, created_at in Support.objects.filter(user=user)
        .order_by("created_at", "id")
        .values_list("proposal_id", "proposal__title", "created_at")
    ]
    flags = [
        {
            "pada": _target(model_name, object_id),
            "alasan": reason,
            "keterangan": note,
            "dilaporkan": _when(created_at),
            "ditangani": _when(resolved_at),
        }
        for model_name, object_id, reason, note, created_at, resolved_at in Flag.objects.filter(reporter=user)
        .order_by("created_at", "id")
        .values_list("content_type__model", "object_id", "reason", "note", "created_at", "resolved_at")
    ]
    responses = [
        {
            "uji_publik_id": consultation_id,
            "uji_publik": title,
            "sikap": position,
            "komentar": comment,
            "disembunyikan": is_hidden,
            "dikirim": _when(created_at),
            "diubah": _when(updated_at),
        }
        for consultation_id, title, position, comment, is_hidden, created_at, updated_at in Response.objects.filter(author=user)
        .order_by("created_at", "id")
        .values_list("consultation_id", "consultation__title", "position", "comment", "is_hidden", "created_at", "updated_at")
    ]
    ratings = [
        {"program_id": program_id, "program": title, "nilai": score, "waktu": _when(updated_at)}
        for program_id, title, score, updated_at in Rating.objects.filter(user=user)
        .order_by("created_at", "id")
        .values_list("program_id", "program__title", "score", "updated_at")
    ]
    security = [
        {"waktu": _when(created_at), "aksi": action, "alamat_ip": ip, "peramban": agent}
        for created_at, action, ip, agent in AuditEvent.objects.filter(actor=user)
        .order_by("created_at", "id")
        .values_list("created_at", "action", "ip_address", "user_agent")
        .iterator(chunk_size=2000)
    ]
    data = {
        "portal": f"{settings.SITE_NAME} · {settings.REGION_NAME}",
        "dibuat": _when(timezone.now()),
        "profil": profile,
        "alamat_email": emails,
        "usulan": proposals,
        "komentar": comments,
        "dukungan": supports,
        "laporan": flags,
        "tanggapan_uji_publik": responses,
        "penilaian_program": ratings,
        "catatan_keamanan": security,
    }
    if apps.is_installed("notifications"):
        data.update(_notification_data(user))
    return data


def _notification_data(user) -> dict:
    """Follows, notification settings and notifications, read by name so accounts need not import the app."""
    follow = apps.get_model("notifications", "Follow")
    preference = apps.get_model("notifications", "Preference")
    notification = apps.get_model("notifications", "Notification")
    return {
        "mengikuti": [
            {"pada": _target(model_name, object_id), "sejak": _when(created_at)}
            for model_name, object_id, created_at in follow.objects.filter(user=user)
            .order_by("created_at", "id")
            .values_list("content_type__model", "object_id", "created_at")
        ],
        "pengaturan_notifikasi": [
            {"jenis": kind, "pengiriman": delivery}
            for kind, delivery in preference.objects.filter(user=user).order_by("kind").values_list("kind", "delivery")
        ],
        "notifikasi": [
            {"jenis": kind, "pesan": message, "tautan": url, "dibuat": _when(created_at), "dibaca": _when(read_at)}
            for kind, message, url, created_at, read_at in notification.objects.filter(recipient=user)
            .order_by("created_at", "id")
            .values_list("kind", "message", "url", "created_at", "read_at")
            .iterator(chunk_size=2000)
        ],
    }


# --- deletion ------------------------------------------------------------------------------------


def _history(model):
    return model.history.model.objects


@transaction.atomic
def delete_account(*, actor, password: str, request=None) -> User:
    """Erase `actor`'s personal data after checking `password`; raise WrongPassword and change nothing otherwise."""
    from allauth.account.models import EmailAddress

    from consultations.models import Response
    from participation.models import Attachment, Comment, Flag, Proposal, StagedUpload
    from participation.uploads import stored_names

    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.is_active or not password or not user.check_password(password):
        raise WrongPassword
    old_email = user.email

    # Drafts never left the citizen: they go, with their history and files.
    drafts = list(Proposal.objects.filter(author=user, status=Proposal.Status.DRAFT).values_list("pk", flat=True))
    draft_files = [
        name
        for file_name, renditions in Attachment.objects.filter(proposal_id__in=drafts).values_list("file", "renditions")
        for name in stored_names(file_name, renditions)
    ]
    draft_files += [
        name
        for file_name, renditions in StagedUpload.objects.filter(owner=user).values_list("file", "renditions")
        for name in stored_names(file_name, renditions)
    ]
    Proposal.objects.filter(pk__in=drafts).delete()
    _history(Attachment).filter(proposal_id__in=drafts).delete()
    _history(Proposal).filter(id__in=drafts).delete()

    # Public contributions stay, without an author. QuerySet.update() on purpose: a history row per
    # item would only add copies; the existing history rows are unlinked from the person just below.
    own_proposals = list(Proposal.objects.filter(author=user).values_list("pk", flat=True))
    kept = {
        "usulan": len(own_proposals),
        "komentar": Comment.objects.filter(author=user).update(author=None),
        "tanggapan_uji_publik": Response.objects.filter(author=user).update(author=None),
        "laporan": Flag.objects.filter(reporter=user).update(reporter=None),
    }
    Proposal.objects.filter(pk__in=own_proposals).update(author=None)
    _history(Proposal).filter(author_id=user.pk).update(author=None)
    _history(Comment).filter(author_id=user.pk).update(author=None)
    _history(Response).filter(author_id=user.pk).update(author=None)
    _history(Flag).filter(reporter_id=user.pk).update(reporter=None)
    # Their own edits would otherwise still point at them from the public change history.
    for model in (Proposal, Comment, Response, Flag, Attachment):
        _history(model).filter(history_user_id=user.pk).update(history_user=None)

    # Rights and roles end with the account (membership deletes revoke the unit rights by signal).
    for membership in WorkUnitMembership.objects.filter(user=user):
        membership.delete()
    EmailAddress.objects.filter(user=user).delete()
    _delete_rows_owned_by(user)

    placeholder = deleted_email(user.pk)
    user.email = placeholder
    user.full_name = ""
    user.phone = ""
    user.region = None
    user.privacy_consent_at = None
    user.last_login = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    # An unusable password also invalidates every session of the account (Django checks its hash).
    user.set_unusable_password()
    user._change_reason = "akun dihapus atas permintaan pemilik"
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    # No copy of the erased data anywhere: history rows, the admin log and the audit log's labels.
    _history(User).filter(id=user.pk).update(email=placeholder, full_name="", phone="", region=None, privacy_consent_at=None)
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        object_repr=placeholder
    )
    AuditEvent.objects.filter(object_type=User._meta.label, object_id=str(user.pk)).update(object_repr=placeholder)
    AuditEvent.objects.filter(data__attempted_email__iexact=old_email).update(data={"attempted_email": placeholder})

    account_erased.send(sender=User, user=user)
    record(
        AuditEvent.Action.ACCOUNT_DELETED,
        actor=user,
        target=user,
        request=request,
        data={"drafts_deleted": len(drafts), "kept": kept},
    )
    transaction.on_commit(lambda: _remove_files(draft_files))
    return user


def _kept_after_erasure() -> set[str]:
    """Rows that outlive the person, tied to the emptied account: they keep counts exact and the admin log whole."""
    return {"participation.Support", "programs.Rating", "admin.LogEntry"}


def _delete_rows_owned_by(user) -> None:
    """Delete every row that declares it dies with its user (on_delete=CASCADE): object rights, email
    addresses, follows, notification settings and the like, whichever app defines them, except the
    anonymous counters in `_kept_after_erasure`."""
    kept = _kept_after_erasure()
    for model in apps.get_models():
        if model._meta.label in kept:
            continue
        for field in model._meta.concrete_fields:
            remote = field.remote_field
            if remote is not None and remote.model is User and remote.on_delete is models.CASCADE:
                model._base_manager.filter(**{field.name: user}).delete()


def _remove_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
