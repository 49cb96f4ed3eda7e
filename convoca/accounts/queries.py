"""Reads of the accounts app used by several callers."""

from django.db import connection

from .models import ApiToken, LoginSession, User, hash_token

LOGIN_ID = "convoca_login_id"  # session: the random id of this login (its digest is LoginSession.key_hash)
MAX_TOKEN_LENGTH = 200  # ours are about 47 characters; anything much longer is not one of ours


def user_for_token(raw_token) -> User | None:
    """The active account owning the API token ``raw_token``, or None if the
    token is unknown, revoked, or its account is deactivated.

    The one bearer-token check (with ``token_owners``, the same check for many
    tokens at once): the API asks it on every request, the ballot box's short
    way in (``voting.fastpath``) for every ballot. It asks the database every
    time and caches nothing: revoking a token or deactivating an account takes
    effect on the very next request, in every process."""
    digests = _digests([raw_token])
    if not digests:
        return None
    for user in User.objects.raw(_valid_tokens_sql("u.*", len(digests)), [*digests, True]):
        return user
    return None


def token_owners(raw_tokens) -> dict:
    """``user_for_token`` for many tokens in one query, answering only ids:
    {raw token: user id} for the valid ones; the others are left out."""
    digests = _digests(raw_tokens)
    if not digests:
        return {}
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(_valid_tokens_sql(f"t.{q('key_hash')}, u.{q('id')}", len(digests)), [*digests, True])
        return {digests[digest]: user_id for digest, user_id in cursor.fetchall()}


def _digests(raw_tokens):
    return {
        hash_token(raw): raw for raw in raw_tokens if isinstance(raw, str) and raw and len(raw) <= MAX_TOKEN_LENGTH
    }


def _valid_tokens_sql(columns, count):
    """The check itself, written once: tokens with one of ``count`` digests, not
    revoked, of an active account; one lookup on the unique digest index each.

    Plain SQL rather than the queryset API: compiling the queryset costs about
    300 µs of Python per request, several times the query, and a vote storm
    runs this for every ballot (``User.objects.raw`` still converts the fields)."""
    q = connection.ops.quote_name
    return (
        f"SELECT {columns} FROM {q(ApiToken._meta.db_table)} t"
        f" INNER JOIN {q(User._meta.db_table)} u ON u.{q('id')} = t.{q('user_id')}"
        f" WHERE t.{q('key_hash')} IN ({', '.join(['%s'] * count)})"
        f" AND t.{q('revoked_at')} IS NULL AND u.{q('is_active')} = %s"
    )


def login_session_exists(login_id, user_id):
    """Whether the login whose id a session holds is still on record (its
    owner has not ended it). One lookup on the unique digest."""
    if not isinstance(login_id, str):
        return False
    return LoginSession.objects.filter(key_hash=hash_token(login_id), user_id=user_id).exists()


def login_sessions(user, current_login_id=None):
    """The account's logins, newest first, each with ``is_current`` set."""
    current = hash_token(current_login_id) if isinstance(current_login_id, str) else None
    rows = list(LoginSession.objects.filter(user=user))
    for row in rows:
        row.is_current = row.key_hash == current
    return rows


def session_user(user_id, login_id):
    """The account a logged-in session names, read with what every request asks of it, in one query: the
    user row, whether the session's login is still on record (``login_on_record``; its owner may have ended
    it) and, when it sits on no national committee, the empty set of its committees (so the second-factor
    check asks nothing more). None when there is no such account.

    Plain SQL for the reason given in ``_valid_tokens_sql``: every page of a logged-in session runs it."""
    from convoca.network.models import NationalCommittee, Person

    q = connection.ops.quote_name
    members = NationalCommittee.members.through
    digest = hash_token(login_id) if isinstance(login_id, str) else ""
    sql = (
        f"SELECT u.*,"
        f" EXISTS(SELECT 1 FROM {q(LoginSession._meta.db_table)} l"
        f" WHERE l.{q('key_hash')} = %s AND l.{q('user_id')} = u.{q('id')}) AS login_on_record,"
        f" EXISTS(SELECT 1 FROM {q(members._meta.db_table)} m"
        f" INNER JOIN {q(Person._meta.db_table)} p ON p.{q('id')} = m.{q('person_id')}"
        f" WHERE p.{q('user_id')} = u.{q('id')}) AS on_committee"
        f" FROM {q(User._meta.db_table)} u WHERE u.{q('id')} = %s"
    )
    for user in User.objects.raw(sql, [digest, user_id]):
        user.login_on_record = bool(user.login_on_record)
        if not user.on_committee:
            user._committee_countries = frozenset()  # what network.rules.committee_countries would have read
        del user.on_committee
        return user
    return None
