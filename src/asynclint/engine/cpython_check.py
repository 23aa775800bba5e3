"""Asking CPython's own parser: code nested too deeply for LibCST, and where a syntax error is.

Nesting. 
LibCST's native parser recurses once per nesting level on the C stack; a few
thousand nested brackets, ``lambda``s or unary operators overflow it and the
whole process dies with a segmentation fault, which no ``except`` can catch.
CPython's own parser has explicit limits (200 nested brackets, a parser stack
bound) and refuses such code long before LibCST would crash, with a
catchable error; code CPython refuses cannot be imported by pytest either, so
reporting it as a syntax error (ASL001) is what the user needs to hear.

Asking CPython costs a parse with the ``ast`` module, so only sources long
enough to reach a dangerous depth are asked: the shallowest crash observed
needs about 2,000 nesting levels, at least 4,000 characters.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

#: Sources shorter than this cannot nest deep enough to crash the native parser.
MIN_DANGEROUS_LENGTH = 3000

#: Fewer nesting tokens than this cannot build a dangerous depth (each level needs one).
MIN_DANGEROUS_TOKENS = 1000

#: Every token that can open a nesting level: brackets, operators (binary chains nest too),
#: attribute and call chains, and the keywords of nested expressions.
_NESTING_CHARACTERS = "([{.-+*/%@&|^~<>"
_NESTING_WORDS = ("lambda", "not", "if", "and", "or", "await")

_NESTING_MESSAGES = ("too many nested", "too complex", "too deeply nested", "stack overflow")


@dataclass(frozen=True)
class NestingError:
    message: str
    line: int = 1
    column: int = 1


def too_deeply_nested(text: str) -> NestingError | None:
    """CPython's verdict when it refuses ``text`` for its nesting; None otherwise.

    Other syntax errors are not reported here: LibCST parses syntax newer than
    the running interpreter knows, so its own verdict is the one that counts.
    """
    if len(text) < MIN_DANGEROUS_LENGTH or _nesting_tokens(text) < MIN_DANGEROUS_TOKENS:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning/DeprecationWarning for odd literals
        try:
            ast.parse(text)
        except SyntaxError as exc:
            message = str(exc.msg or "")
            if any(part in message.lower() for part in _NESTING_MESSAGES):
                return NestingError(f"too deeply nested: {message}", max(exc.lineno or 1, 1),
                                    max(exc.offset or 1, 1))
        except RecursionError:
            return NestingError("too deeply nested: the Python parser exceeded its recursion limit")
        except MemoryError:
            return NestingError("too deeply nested: the Python parser ran out of stack")
        except (ValueError, TypeError):
            return None  # e.g. null bytes: the caller's own checks report them
    return None


def _nesting_tokens(text: str) -> int:
    """An upper bound of the nesting depth ``text`` can reach (a few ``str.count`` calls, no parse).

    Asking CPython was 5% of a cold run over ordinary test files longer than
    MIN_DANGEROUS_LENGTH; their nesting tokens number in the hundreds.
    """
    total = 0
    for token in (*_NESTING_CHARACTERS, *_NESTING_WORDS):
        total += text.count(token)
        if total >= MIN_DANGEROUS_TOKENS:
            break
    return total


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    line: int
    column: int


def cpython_syntax_error(text: str) -> SyntaxProblem | None:
    """Where and why CPython rejects ``text`` (None when it accepts it).

    LibCST's parser reports the farthest token it reached (often the line
    after the mistake, at column 0); CPython's message and position are the
    ones pytest, editors and users see, so they are preferred when both
    parsers reject the file.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(text)
        except SyntaxError as exc:
            line = max(exc.lineno or 1, 1)
            column = max(exc.offset or 1, 1)
            return SyntaxProblem(str(exc.msg or "invalid syntax"), line, column)
        except (RecursionError, MemoryError):
            return SyntaxProblem("too deeply nested", 1, 1)
        except (ValueError, TypeError) as exc:
            return SyntaxProblem(str(exc), 1, 1)
    return None
