"""The shared comment thread: reading a page of it, and handling the forms around it.

Programs and consultations use the same functions as proposals: `thread_for()` builds the
context for `includes/comment_thread.html`, `post_comment_view()` handles the post form.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts import rights
from participation import services
from participation.forms import CommentForm
from participation.models import Comment
from participation.placement import at

COMMENTS_PER_PAGE = 20


@dataclass
class Thread:
    comments: list
    page: object
    count: int  # the item's `comment_count`: the same number its card, feed and exports show
    can_comment: bool
    post_url: str
    form: CommentForm
    notices: object = ()  # the request's messages: confirmations are shown beside their comment


def thread_for(request, target, *, post_url: str, form: CommentForm | None = None) -> Thread:
    """One page of top-level comments with their replies: a fixed number of queries at any size."""
    user = request.user
    top_level = (
        Comment.objects.on(target)
        .visible_to(user)
        .filter(parent__isnull=True)
        .select_related("author")
        .order_by("created_at", "id")
    )
    paginator = Paginator(top_level, COMMENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("komentar"))
    comments = list(page.object_list)
    replies_by_parent: dict[int, list] = {}
    if comments:
        replies = (
            Comment.objects.visible_to(user)
            .filter(parent_id__in=[c.pk for c in comments])
            .select_related("author")
            .order_by("created_at", "id")
        )
        for reply in replies:
            replies_by_parent.setdefault(reply.parent_id, []).append(reply)
    for comment in comments:
        comment.reply_list = replies_by_parent.get(comment.pk, [])
        for item in (comment, *comment.reply_list):
            item.user_can_edit = rights.can(user, "edit", item)
            item.user_can_hide = rights.can(user, "hide", item)
            item.user_can_flag = rights.can(user, "flag", item)
    return Thread(
        comments=comments,
        page=page,
        count=target.comment_count,
        can_comment=rights.can(user, "comment", target),
        post_url=post_url,
        form=form or CommentForm(),
        notices=messages.get_messages(request),
    )


def comment_url(comment: Comment, target, user) -> str:
    """The address of `comment` on its item's page: the page of the thread that holds it (a reply
    sits on its parent's page) and the comment's anchor, so a confirmation lands beside it."""
    from django.db.models import Q

    top = comment.parent if comment.parent_id else comment
    before = (
        Comment.objects.on(target)
        .visible_to(user)
        .filter(parent__isnull=True)
        .filter(Q(created_at__lt=top.created_at) | Q(created_at=top.created_at, id__lt=top.id))
        .count()
    )
    page = before // COMMENTS_PER_PAGE + 1
    query = f"?komentar={page}" if page > 1 else ""
    return f"{target.get_absolute_url()}{query}#{comment.anchor}"


def post_comment_view(request, target):
    """Handle a comment or reply posted to `target`; re-shows errors as messages, never a 500."""
    if not request.user.is_authenticated:
        return redirect_to_login(target.get_absolute_url())
    if not rights.can(request.user, "comment", target):
        if not rights.can(request.user, "view", target):
            raise Http404
        if not rights.is_verified(request.user):
            messages.error(request, _("Konfirmasi alamat email Anda terlebih dahulu untuk berkomentar."))
            return redirect(target.get_absolute_url())
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("body", []):
            messages.error(request, _("Komentar tidak tersimpan: %(error)s") % {"error": error}, extra_tags=at("komentar"))
        return redirect(f"{target.get_absolute_url()}#komentar")
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            messages.error(request, _("Komentar yang Anda balas tidak ditemukan."), extra_tags=at("komentar"))
            return redirect(f"{target.get_absolute_url()}#komentar")
    try:
        comment = services.post_comment(actor=request.user, target=target, body=form.cleaned_data["body"], parent=parent)
    except ValueError:
        messages.error(request, _("Balasan hanya dapat ditujukan pada komentar utama yang masih tampil."), extra_tags=at("komentar"))
        return redirect(f"{target.get_absolute_url()}#komentar")
    messages.success(request, _("Komentar Anda telah dikirim."), extra_tags=at(comment.anchor))
    return redirect(comment_url(comment, target, request.user))
