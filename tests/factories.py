"""Factories for tests. Text fields carry an XSS canary so templates that forget escaping fail loudly."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User, WorkUnit, WorkUnitMembership
from participation.models import Category, Region

XSS = '<script>alert("xss")</script>'


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"warga{n}@contoh.id")
    full_name = factory.Sequence(lambda n: f"Warga Nomor {n}")
    password = factory.PostGenerationMethodCall("set_password", "rahasia-kuat-123")

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Verified email by default; pass verified=False for an unconfirmed account."""
        if create:
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=extracted is not False)
            user.save()

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(*(Group.objects.get(name=name) for name in extracted))


class WorkUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkUnit
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Dinas Nomor {n}")
    short_name = factory.Sequence(lambda n: f"D{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Kategori {n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"99.{n:02d}")
    name = factory.Sequence(lambda n: f"Wilayah {n}")
    level = Region.Level.KABUPATEN
    parent = None


def make_official(user, work_unit):
    WorkUnitMembership.objects.create(user=user, work_unit=work_unit)
    return user


class ProposalFactory(factory.django.DjangoModelFactory):
    """A published proposal by default; pass status=... for other stages."""

    class Meta:
        model = "participation.Proposal"

    title = factory.Sequence(lambda n: f"Perbaikan jalan desa nomor {n} {XSS}")
    description = f"Jalan rusak berat sejak musim hujan. {XSS}"
    category = factory.SubFactory(CategoryFactory, name="Infrastruktur")
    work_unit = factory.SubFactory(WorkUnitFactory, name="Dinas Pekerjaan Umum dan Penataan Ruang", short_name="PUPR")
    region = factory.LazyFunction(
        lambda: Region.objects.get_or_create(
            code="33.99", defaults={"name": "Kabupaten Contoh", "level": Region.Level.KABUPATEN}
        )[0]
    )
    author = factory.SubFactory(UserFactory)
    status = "published"
    published_at = factory.LazyFunction(timezone.now)
