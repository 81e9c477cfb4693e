from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User, phone_validator
from participation.models import Region


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
    field_order = ["full_name", "email", "password1", "password2", "phone", "region"]

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.phone = self.cleaned_data.get("phone", "")
        user.region = self.cleaned_data.get("region")
        user.save(update_fields=["full_name", "phone", "region"])


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
