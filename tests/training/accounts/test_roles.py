"""What each kind of lab account is granted: a laptop its field experiment only, staff never the accounts."""

from training.accounts.roles import SERVER_ROLE, Grant, Role, role_grants, role_of


def test_a_laptop_is_granted_edit_on_the_field_experiment_and_nothing_else() -> None:
    assert role_grants(Role.LAPTOP, "7") == (Grant("experiment", "7", "EDIT"),)


def test_staff_create_and_manage_experiments_and_models_but_do_not_administer_the_workspace() -> None:
    grants = role_grants(Role.STAFF, "7")

    assert Grant("workspace", "*", "USE") in grants
    assert {(g.resource_type, g.permission) for g in grants} >= {
        ("experiment", "MANAGE"),
        ("registered_model", "MANAGE"),
    }
    assert Grant("workspace", "*", "MANAGE") not in grants  # that would make staff account admins


def test_an_account_is_known_by_its_server_role_name() -> None:
    assert role_of({SERVER_ROLE[Role.LAPTOP], "__user_3__"}) is Role.LAPTOP
    assert role_of({"__user_3__"}) is None
