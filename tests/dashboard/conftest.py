from tests.controls.conftest import catalogues, client_as, iso, requirement, user_with_role

__all__ = ["catalogues", "client_as", "iso", "requirement", "user_with_role"]
