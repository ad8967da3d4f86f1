"""Users and roles: first admin, argon2 passwords, lockout, admin reset, single-user mode (core.users)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from tests.core.test_lifecycle import make_world
from zwgk_desktop.core.models import AuditEvent, User, utcnow
from zwgk_desktop.core.users import (
    AccountLocked, LoginFailed, add_user, create_first_admin, login, login_required, reset_password,
    set_single_user_mode, single_user_actor,
)
from zwgk_desktop.errors import InvalidInput, NotAllowed

PW = "qingshan-2026"


def test_first_admin_then_login_with_argon2_hash(database):
    """First run creates the admin; the stored password is an argon2 hash; login returns the actor."""
    with database.session() as s:
        assert not login_required(s)
        admin = create_first_admin(s, "admin", PW, "王管理")
        user = s.execute(select(User)).scalar_one()
        assert user.password_hash.startswith("$argon2") and PW not in user.password_hash
    assert admin.role == "admin"
    actor = login(database, "admin", PW)
    assert actor.username == "admin" and actor.can("manage_users")
    with database.session() as s:
        assert login_required(s)
        with pytest.raises(NotAllowed, match="不能再次初始化"):
            create_first_admin(s, "other", PW)
        events = s.execute(select(AuditEvent).where(AuditEvent.entity == "app_user")).scalars().all()
        assert all(PW not in str(e.summary) and "$argon2" not in str(e.summary) for e in events)


def test_five_failures_lock_the_account_for_fifteen_minutes(database):
    """Five wrong passwords lock the account (even the right one is refused) until 15 minutes pass."""
    with database.session() as s:
        create_first_admin(s, "admin", PW)
    now = utcnow()
    for attempt in range(5):
        with pytest.raises(LoginFailed, match="不正确"):
            login(database, "admin", "wrong-password", now=now)
    with pytest.raises(AccountLocked, match="已锁定"):
        login(database, "admin", PW, now=now + timedelta(minutes=14))
    assert login(database, "admin", PW, now=now + timedelta(minutes=16)).role == "admin"


def test_admin_reset_lifts_lockout_and_non_admin_cannot_reset(database):
    """An admin's password reset unlocks the user; a clerk may not reset passwords."""
    with database.session() as s:
        admin = create_first_admin(s, "admin", PW)
        add_user(s, admin, "clerk1", PW, "clerk", display_name="张经办")
    now = utcnow()
    for _ in range(5):
        with pytest.raises(LoginFailed):
            login(database, "clerk1", "nope-nope", now=now)
    with database.session() as s:
        with pytest.raises(NotAllowed, match="无权管理用户"):
            reset_password(s, _clerk(), "clerk1", "new-password-1")
        reset_password(s, admin, "clerk1", "new-password-1")
    assert login(database, "clerk1", "new-password-1", now=now).role == "clerk"


def _clerk():
    from zwgk_desktop.core.users import Actor

    return Actor("clerk1", "clerk")


def test_village_user_needs_villages_and_bad_role_is_refused(database):
    """A village user must name existing villages; unknown roles and short passwords are refused in Chinese."""
    world = make_world(database)
    with database.session() as s:
        admin = create_first_admin(s, "admin", PW)
        with pytest.raises(InvalidInput, match="必须指定"):
            add_user(s, admin, "v1", PW, "village")
        with pytest.raises(InvalidInput, match="未知角色"):
            add_user(s, admin, "x", PW, "boss")
        with pytest.raises(InvalidInput, match="至少需要"):
            add_user(s, admin, "y", "short", "clerk")
        row = add_user(s, admin, "v1", PW, "village", villages=["青山村"])
    assert row.village_ids == [world.village_ids["青山村"]] and row.village_names == ["青山村"]
    actor = login(database, "v1", PW)
    assert actor.is_village_scoped and actor.covers_village(world.village_ids["青山村"])
    assert not actor.covers_village(world.village_ids["桃园村"]) and not actor.covers_village(None)


def test_single_user_mode_skips_login(database):
    """With single-user mode on (admin only), no login is required and the first admin acts."""
    with database.session() as s:
        admin = create_first_admin(s, "admin", PW)
        with pytest.raises(NotAllowed):
            set_single_user_mode(s, _clerk(), True)
        set_single_user_mode(s, admin, True)
    with database.session() as s:
        assert not login_required(s)
        assert single_user_actor(s).username == "admin"


def test_cli_user_add_and_list(tmp_path):
    """`zwgk user add --role admin` creates the first admin; `user list --json` shows it without any hash."""
    data = tmp_path / "d"
    code, payload, err = run_cli("user", "add", "admin", "--role", "admin", "--password", PW, "--json", data_dir=data)
    assert code == 0, err
    assert payload["role"] == "admin"
    code, payload, _ = run_cli("user", "add", "c1", "--role", "clerk", "--password", "x", "--json", data_dir=data)
    assert code == 1 and "密码至少" in payload["error"]["message"]
    code, payload, _ = run_cli("user", "list", "--json", data_dir=data)
    assert [u["username"] for u in payload["users"]] == ["admin"] and "argon2" not in str(payload)


def test_village_scope_is_none_for_township_staff_and_never_everything_for_a_village_user():
    """Township roles see the whole township; a village user sees their villages, and one without villages sees none."""
    from zwgk_desktop.core.users import NO_VILLAGE, Actor

    assert Actor("clerk", "clerk").village_scope is None
    assert Actor("cun", "village", village_ids=("v1", "v2")).village_scope == ("v1", "v2")
    assert Actor("cun", "village").village_scope == NO_VILLAGE


def test_separation_of_duties_is_on_once_two_users_may_review(database):
    """One reviewer: the author may approve (rule off); a second user with review rights turns it on unless an admin chose."""
    from zwgk_desktop.core.users import SETTING_REVIEWER_NOT_AUTHOR, review_rule, set_setting

    with database.session() as s:
        admin = create_first_admin(s, "admin", PW, "王管理")
        add_user(s, admin, "clerk1", PW, "clerk", display_name="张经办")
        rule = review_rule(s)
        assert (rule.enforced, rule.explicit, rule.reviewers) == (False, False, 1)
        add_user(s, admin, "lishen", PW, "reviewer", display_name="李审核")
        rule = review_rule(s)
        assert (rule.enforced, rule.explicit, rule.reviewers) == (True, False, 2)
        set_setting(s, SETTING_REVIEWER_NOT_AUTHOR, False)
        assert not review_rule(s).enforced and review_rule(s).explicit
        reviewer = s.execute(select(User).where(User.username == "lishen")).scalar_one()
        reviewer.active = False
        set_setting(s, SETTING_REVIEWER_NOT_AUTHOR, True)
        assert review_rule(s).enforced and review_rule(s).reviewers == 1  # an explicit choice holds


def test_one_password_check_for_logins_and_the_kiosk(database):
    """`verify_password` accepts the right password of a `hash_password` hash and nothing else (no exception)."""
    from zwgk_desktop.core.users import hash_password, verify_password

    stored = hash_password(PW)
    assert verify_password(stored, PW)
    assert not verify_password(stored, PW + "x") and not verify_password(stored, "")
    assert not verify_password("not-a-hash", PW) and not verify_password(None, PW)


def test_sign_in_op_counts_failures_even_though_it_refuses(database):
    """`ops.users.sign_in` commits each failed attempt, so five wrong passwords lock the account."""
    from zwgk_desktop.core.users import GUEST_ACTOR
    from zwgk_desktop.ops.users import sign_in

    with database.session() as s:
        create_first_admin(s, "admin", PW, "王管理")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            sign_in(database, GUEST_ACTOR, "admin", "wrong-password")
    with pytest.raises(LoginFailed, match="锁定"):
        sign_in(database, GUEST_ACTOR, "admin", "wrong-password")
    with pytest.raises(AccountLocked):
        sign_in(database, GUEST_ACTOR, "admin", PW)
    with database.session() as s:
        assert s.execute(select(User.locked_until)).scalar() is not None
    with pytest.raises(LoginFailed):
        sign_in(database, GUEST_ACTOR, "", PW)


def test_a_screen_can_narrow_but_never_widen_a_village_users_scope():
    """`Actor.narrowed_scope`: staff get what they ask; a 村级用户 at most their villages, and none when outside them."""
    from zwgk_desktop.core.users import NO_VILLAGE, Actor

    staff = Actor("clerk", "clerk")
    assert staff.narrowed_scope(None) is None and staff.narrowed_scope(["v1"]) == ("v1",)
    village = Actor("cun", "village", village_ids=("v1", "v2"))
    assert village.narrowed_scope(None) == ("v1", "v2")
    assert village.narrowed_scope(["v2", "v9"]) == ("v2",)
    assert village.narrowed_scope(["v9"]) == NO_VILLAGE
