import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=[Role(role).value for role in extracted]))


# --- geo ---------------------------------------------------------------------------------------------------


def square(lon: float, lat: float, size: float = 0.1) -> dict:
    """A GeoJSON MultiPolygon: a square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


def _corner(boundary: dict | None, pick, axis: int) -> float | None:
    return pick(p[axis] for p in boundary["coordinates"][0][0]) if boundary else None


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "geo.Locality"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E0799{n:04d}")
    name = factory.Sequence(lambda n: f"District {n}")
    kind = "district"
    boundary = factory.LazyFunction(lambda: square(0.0, 52.0))
    display_boundary = factory.SelfAttribute("boundary")
    min_longitude = factory.LazyAttribute(lambda loc: _corner(loc.boundary, min, 0))
    max_longitude = factory.LazyAttribute(lambda loc: _corner(loc.boundary, max, 0))
    min_latitude = factory.LazyAttribute(lambda loc: _corner(loc.boundary, min, 1))
    max_latitude = factory.LazyAttribute(lambda loc: _corner(loc.boundary, max, 1))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The geometry lives in its own table (geo.LocalityBoundary); boundary=None makes a locality without one.
        from geo.models import LocalityBoundary

        boundary = kwargs.pop("boundary", None)
        display_boundary = kwargs.pop("display_boundary", None)
        locality = super()._create(model_class, *args, **kwargs)
        if boundary is not None:
            LocalityBoundary.objects.update_or_create(
                locality=locality, defaults={"boundary": boundary, "display_boundary": display_boundary}
            )
        return locality


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "geo.Postcode"
        django_get_or_create = ("postcode",)

    postcode = "CB6 1AA"
    latitude = 52.3990
    longitude = 0.2620
    district_code = "E07000009"
    ward_code = ""


# --- providers ---------------------------------------------------------------------------------------------


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.Provider"

    cqc_provider_id = factory.Sequence(lambda n: f"1-{100000000 + n}")
    name = factory.Sequence(lambda n: f"Fenland Care Homes {n} Ltd")
    organisation_type = "Organisation"
    size_band = "medium"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.Location"

    cqc_location_id = factory.Sequence(lambda n: f"1-{200000000 + n}")
    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Meadow View Care Home {n}")
    postcode = "CB6 1AA"
    latitude = 52.3990
    longitude = 0.2620
    care_home = True
    registered_beds = 60
    service_types = factory.LazyFunction(lambda: ["Care home service with nursing"])
    specialisms = factory.LazyFunction(lambda: ["Dementia"])


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.Rating"

    location = factory.SubFactory(LocationFactory)
    provider = factory.SelfAttribute("location.provider")
    overall = "Good"
    report_date = factory.Faker("date_between", start_date="-2y", end_date="-30d")
    source = "cqc_api"


class ProviderMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.ProviderMembership"

    user = factory.SubFactory(UserFactory, roles=[Role.PROVIDER_USER])
    provider = factory.SubFactory(ProviderFactory)
