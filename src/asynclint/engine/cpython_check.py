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
import re
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
_NESTING_TOKENS = (*_NESTING_CHARACTERS, *_NESTING_WORDS)

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
    if _shallow(text):
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


def _nesting_tokens(text: str, start: int = 0, end: int | None = None, enough: int = MIN_DANGEROUS_TOKENS) -> int:
    """An upper bound of the nesting depth ``text[start:end]`` can reach (a few ``str.count`` calls, no
    parse), counted until it reaches ``enough``.

    Asking CPython was 5% of a cold run over ordinary test files longer than
    MIN_DANGEROUS_LENGTH; their nesting tokens number in the hundreds.
    """
    end = len(text) if end is None else end
    total = 0
    for token in _NESTING_TOKENS:
        total += text.count(token, start, end)
        if total >= enough:
            break
    return total


#: A logical line with fewer nesting tokens than this, in a file with fewer ``elif`` than MAX_ELIFS, nests
#: too little for CPython to refuse it: its refusals need 201 nested brackets on one logical line, or
#: about 2,600 levels of other nesting (``lambda``, unary operators, ``elif`` chains; Python 3.10 to
#: 3.13, measured), and blocks nest at most 100 deep (deeper is another error). 999 ``elif`` around
#: 97 nested blocks around a line of 99 such tokens parse on each of them.
MAX_LINE_TOKENS = 100
MAX_ELIFS = 1000

#: What the logical-line scan must read past: comments, string literals (from their quote; the prefix
#: is read off the text before it), line continuations; a lone quote or backslash is anything else that
#: starts a string or continues a line (an unterminated or multi-line single-quoted string, a stray
#: backslash). The lookahead lets the engine skip to those four characters.
_SKIPPED = re.compile(r"""(?=[#'"\\])(?:\#[^\r\n]*|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*"|\\(?:\r\n|\r|\n)|['"\\])""", re.VERBOSE | re.DOTALL)
_NOT_BRACKET = re.compile(r"[^()\[\]{}\n]+")
_OPENING = str.maketrans({"(": "(", "[": "(", "{": "(", ")": ")", "]": ")", "}": ")"})
_TEMPLATE_PREFIX = frozenset("fFtT")


def _shallow(text: str) -> bool:
    """Whether ``text`` certainly nests too little for CPython to refuse it (then it need not be asked).

    Each logical line's nesting tokens are counted as ``_nesting_tokens`` counts them (inside its
    strings and comments too: a count only too high); the lines are found without a parse: strings,
    comments and line continuations are blanked (one regular expression, a call per string), then
    the brackets of each physical line tell where a logical line ends. Anything the scan cannot read
    as Python 3.11's tokenizer does answers False (CPython is asked): an f-string whose replacement
    fields are not plainly balanced (as Python 3.12's nested quotes make them look), unbalanced
    brackets, an unterminated string, a stray backslash.
    """
    if text.count("elif") >= MAX_ELIFS:
        return False
    pieces: list[str] = []
    done = 0
    for match in _SKIPPED.finditer(text):
        at, end = match.span()
        first = text[at]
        if first != "#":
            if end - at == 1:
                return False  # a quote that starts no string on its line, or a backslash that continues none
            if first != "\\" and _TEMPLATE_PREFIX.intersection(text[max(at - 2, 0):at]) \
                    and not _plain_fields(match.group()):
                return False
        pieces += (text[done:at], " " * (end - at))
        done = end
    pieces.append(text[done:])
    code = "".join(pieces).replace("\r", "\n")  # same offsets as ``text``; "\r\n" ends a line, then an empty one
    brackets = _NOT_BRACKET.sub("", code).translate(_OPENING).split("\n")
    depth, start, offset = 0, 0, 0
    for line, found in zip(map(len, code.split("\n")), brackets):
        offset += line + 1
        if found:
            # Brackets closing more than are open (here, or mismatched) are an error CPython reports
            # there, before anything later: this line's count already holds the tokens before it.
            depth += len(found) - 2 * found.count(")")
        if depth == 0:
            end = offset - 1
            if end - start >= MAX_LINE_TOKENS and _nesting_tokens(text, start, end, MAX_LINE_TOKENS) >= MAX_LINE_TOKENS:
                return False
            start = offset
    return depth == 0


def _plain_fields(literal: str) -> bool:
    """Whether an f-string's (or t-string's) replacement fields are balanced braces, counted outside
    the strings they hold: what Python 3.11's tokenizer reads as one string is then one string for
    every version (a Python 3.12 f-string nesting its own quote ends early here, inside an open
    field)."""
    depth = 0
    index, size = 0, len(literal)
    while index < size:
        char = literal[index]
        if char in "{}" and depth == 0 and literal.startswith(char * 2, index):
            index += 2  # an escaped brace of the literal text
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
        elif char in "'\"" and depth > 0:
            end = literal.find(char, index + 1)
            if end < 0:
                return False
            index = end
        index += 1
    return depth == 0


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
