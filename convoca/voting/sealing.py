"""The cryptography of a sealed (secret) poll, and nothing else: no database, no Django models.

* Each teller of a poll sets a teller passphrase before the poll opens: ``teller_keys`` makes an X25519 key
  pair, and keeps the private key only encrypted (``SecretBox``) under a key derived from the passphrase with
  Argon2id and a random salt. ``open_teller_key`` undoes it, or raises ``WrongPassphrase``.
* When the poll opens, ``poll_keys`` makes the poll's X25519 key pair, splits its private key among the n
  tellers, k of them needed (Shamir's scheme over GF(2^128) from pycryptodome, which shares 16-byte secrets: the
  32 bytes are split as two halves with the same k, n and indices), and seals each share to its teller's public
  key. Only the public key and the sealed shares leave this module; the private key and the plain shares are
  never returned.
* A ballot is ``seal``-ed to the poll's public key (an anonymous ``SealedBox``: a fresh key pair per ballot),
  padded to a length that depends on the poll only, so the size of a box tells nothing about the choice.
* At the count, ``poll_private_key`` opens k sealed shares with the tellers' private keys and combines them;
  ``unseal`` opens each ballot.
"""

import json

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from Crypto.Protocol.SecretSharing import Shamir
from nacl.public import PrivateKey, PublicKey, SealedBox

SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
MIN_PASSPHRASE = 12
MAX_PASSPHRASE = 1024
KDF_LIMITS = {
    "min": (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN),
    "interactive": (nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE),
    "moderate": (nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE),
    "sensitive": (nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE, nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE),
}


class SealingError(Exception):
    """Something could not be opened; ``kind`` says what, for a translated message upstream."""

    def __init__(self, kind, position=None):
        super().__init__(kind)
        self.kind = kind
        self.position = position


def kdf_limits(level):
    """(opslimit, memlimit) for a named Argon2id level ("min", "interactive", "moderate", "sensitive")."""
    return KDF_LIMITS.get(level, KDF_LIMITS["moderate"])


def _derive(passphrase, salt, ops, mem):
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=ops, memlimit=mem
    )


def teller_keys(passphrase, ops, mem):
    """A new teller key pair: (public key, private key locked under the passphrase, salt)."""
    private = PrivateKey.generate()
    salt = nacl.utils.random(SALT_BYTES)
    locked = nacl.secret.SecretBox(_derive(passphrase, salt, ops, mem)).encrypt(bytes(private))
    return bytes(private.public_key), bytes(locked), salt


def open_teller_key(passphrase, locked, salt, ops, mem, public_key):
    """The teller's private key, or ``SealingError("passphrase")``."""
    try:
        raw = nacl.secret.SecretBox(_derive(passphrase, bytes(salt), ops, mem)).decrypt(bytes(locked))
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        raise SealingError("passphrase") from None
    private = PrivateKey(raw)
    if bytes(private.public_key) != bytes(public_key):
        raise SealingError("passphrase")
    return private


def poll_keys(poll_id, teller_public_keys, needed):
    """The poll's public key and one sealed share per teller (in the order given; share indices 1..n).
    The private key and the plain shares exist only inside this call."""
    n = len(teller_public_keys)
    if not 1 <= needed <= n:
        raise ValueError("needed must be between 1 and the number of tellers")
    private = PrivateKey.generate()
    secret = bytes(private)
    halves = (Shamir.split(needed, n, secret[:16]), Shamir.split(needed, n, secret[16:]))
    sealed = []
    for position, public_key in enumerate(teller_public_keys):
        index, first = halves[0][position]
        index_b, second = halves[1][position]
        assert index == index_b == position + 1
        plain = json.dumps({"poll": poll_id, "index": index, "share": (first + second).hex()}).encode()
        sealed.append(SealedBox(PublicKey(bytes(public_key))).encrypt(plain))
    return bytes(private.public_key), sealed


def open_share(teller_private, sealed_share, poll_id):
    """(index, 32-byte share) from a teller's sealed share, checking it belongs to ``poll_id``."""
    try:
        data = json.loads(SealedBox(teller_private).decrypt(bytes(sealed_share)))
        index, share, owner = int(data["index"]), bytes.fromhex(data["share"]), int(data["poll"])
    except (nacl.exceptions.CryptoError, ValueError, KeyError, TypeError):
        raise SealingError("share") from None
    if owner != poll_id or len(share) != 32:
        raise SealingError("other_poll")
    return index, share


def poll_private_key(shares, public_key):
    """The poll's private key from k (index, share) pairs; ``SealingError("combine")`` if they do not give
    the key whose public half is ``public_key``."""
    try:
        first = Shamir.combine([(i, s[:16]) for i, s in shares])
        second = Shamir.combine([(i, s[16:]) for i, s in shares])
        private = PrivateKey(first + second)
    except (ValueError, TypeError):
        raise SealingError("combine") from None
    if bytes(private.public_key) != bytes(public_key):
        raise SealingError("combine")
    return private


def padded_length(max_choices):
    """The plaintext length of every ballot of a poll: room for a receipt, the longest list of option ids
    (up to 19 digits each) and the largest weight, whatever was chosen."""
    return 96 + 22 * max(1, int(max_choices))


def seal(public_key, receipt, choices, weight, length):
    """A sealed box holding the JSON of (receipt, choices, weight), padded with spaces to ``length``."""
    plain = json.dumps({"r": receipt, "c": list(choices), "w": int(weight)}, separators=(",", ":")).encode()
    if len(plain) < length:
        plain += b" " * (length - len(plain))
    return SealedBox(PublicKey(bytes(public_key))).encrypt(plain)


def unsealer(private_key):
    """A function box -> (receipt, choices, weight); raises ``SealingError("ballot")``."""
    box = SealedBox(private_key)

    def unseal(sealed):
        try:
            data = json.loads(box.decrypt(bytes(sealed)))
            return str(data["r"]), [int(c) for c in data["c"]], int(data["w"])
        except (nacl.exceptions.CryptoError, ValueError, KeyError, TypeError):
            raise SealingError("ballot") from None

    return unseal
