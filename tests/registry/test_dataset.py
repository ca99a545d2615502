import pytest

from biocommunity.registry.models import Community, Hub, Organization
from biocommunity.registry.services.dataset import load_dataset


@pytest.mark.django_db
def test_gtb_dataset_loads_and_second_load_changes_nothing(gtb: Community) -> None:
    assert Hub.objects.filter(community=gtb).count() == 6
    assert Organization.objects.filter(key="link-j").exists()
    again = load_dataset("gtb")
    assert again.changed == 0
