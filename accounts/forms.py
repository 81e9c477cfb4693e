from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User, phone_validator
from participation.models import Region


def _consent_help() -> str:
    return format_html(
        '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
        _("Wajib menurut UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi."),
        reverse("transparency:privacy"),
        _("Baca Kebijakan Privasi (membuka tab baru)"),
    )


class SignupForm(forms.Form):
    """Extra fields on allauth's signup form: allauth calls `signup()` after creating the user."""

    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150, strip=True)
    phone = forms.CharField(
        label=_("Nomor telepon (opsional)"), max_length=20, required=False, validators=[phone_validator]
    )
    region = forms.ModelChoiceField(
        label=_("Wilayah (opsional)"),
        queryset=Region.objects.filter(level=Region.Level.DESA).select_related("parent"),
        required=False,
        empty_label=_("— pilih desa/kelurahan —"),
    )
    privacy_consent = forms.BooleanField(
        label=_("Saya menyetujui pemrosesan data pribadi saya sesuai Kebijakan Privasi"),
        help_text=lazy(_consent_help, str)(),
        error_messages={"required": _("Anda perlu menyetujui Kebijakan Privasi untuk mendaftar.")},
    )
    field_order = ["full_name", "email", "password1", "password2", "phone", "region", "privacy_consent"]

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.phone = self.cleaned_data.get("phone", "")
        user.region = self.cleaned_data.get("region")
        user.privacy_consent_at = timezone.now()
        user.save(update_fields=["full_name", "phone", "region", "privacy_consent_at"])


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Kata sandi Anda"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Masukkan kata sandi untuk memastikan bahwa Andalah pemilik akun ini."),
    )


class ProfileForm(forms.ModelForm):
    region = forms.ModelChoiceField(
        label=_("Wilayah (opsional)"),
        queryset=Region.objects.filter(level=Region.Level.DESA).select_related("parent"),
        required=False,
        empty_label=_("— pilih desa/kelurahan —"),
    )

    class Meta:
        model = User
        fields = ["full_name", "phone", "region"]
