"""How strong a new password must be: not a common one, not easy to guess (zxcvbn)."""

from __future__ import annotations

from functools import cache

from backend.errors import ValidationFailed

# zxcvbn's cost grows with length; what matters for guessing is in the first characters.
_SCORED_CHARS = 72
# zxcvbn's scores run 0-4; 2 is "somewhat guessable" (more than 10^6 guesses), the least an
# account behind an internet-facing login should have.
MIN_SCORE = 2


@cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most common passwords, shipped with the package."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # loaded on first use, not at import

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_new_password(password: str, email: str | None = None) -> None:
    """Refuse (422 weak_password) a password that is common or easy to guess."""
    if password.strip().lower() in _common_passwords():
        raise ValidationFailed(
            "This password is one of the most common ones; choose another.",
            code="weak_password",
        )
    from zxcvbn import zxcvbn  # builds its dictionaries on first use

    hints = [email, email.split("@", 1)[0]] if email else []
    scored = zxcvbn(password[:_SCORED_CHARS], user_inputs=hints)
    if scored["score"] < MIN_SCORE:
        advice = scored["feedback"].get("warning") or ""
        raise ValidationFailed(
            "This password is too easy to guess"
            + (f" ({advice.rstrip('.').lower()})" if advice else "")
            + "; try a few words together, or a longer mix of letters, digits and signs.",
            code="weak_password",
        )
