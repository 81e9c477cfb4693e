"""Fixtures shared by the open-data, feed and statistics tests, borrowed from the apps' own suites.

`usulan` and `make_proposal` come from tests/conftest.py.
"""

from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory, ResponseFactory, clock  # noqa: F401
from tests.programs.conftest import program, program_data, usulan_pupr  # noqa: F401
