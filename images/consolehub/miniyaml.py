"""Loads the YAML of a Job template without a YAML library (the image keeps to the standard library).

It reads one document of plain data in block style, which is what the library renders
(`WebConsoleJob.yaml`, from the `yaml` package's `stringify`) and what people write by hand:
block mappings and sequences (compact `- key: value` items included), plain, single- and double-quoted
scalars (folded over several lines too), literal and folded block scalars (`|`, `>`, with chomping and
indentation indicators), comments, and flow collections written as JSON (`{}`, `[]`, `["a", 1]`).
Scalars resolve as in the YAML 1.2 core schema (null, booleans, integers, floats, else strings).
Anchors, aliases, tags, flow collections that are not JSON and several documents are refused with
a clear error (ValueError) rather than read wrong.
"""
import json
import re

_KEY = re.compile(r'''(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{\[\]},&*!|>%@`-][^#]*?|-[^\s#][^#]*?)\s*:(?:\s+|$)(?P<rest>.*)$''')
_ESCAPES = {'0': '\0', 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v', 'f': '\f', 'r': '\r',
            'e': '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': '\x85', '_': '\xa0', 'L': '\u2028', 'P': '\u2029'}
_HEX_ESCAPES = {'x': 2, 'u': 4, 'U': 8}
_INT = re.compile(r'[-+]?[0-9]+')
_FLOAT = re.compile(r'[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?')


def load(text):
    """The document in `text` as Python data."""
    parser = _Parser(text.replace('\r\n', '\n').split('\n'))
    if parser.peek() and parser.peek()[1] == '---':
        parser.i += 1
    value = parser.block(-1) if parser.peek() else None
    rest = parser.peek()
    if rest:
        raise parser.error(f'unexpected content {rest[1]!r} (only one document of block-style YAML is read)')
    return value


class _Parser:
    def __init__(self, lines):
        self.lines = lines
        self.i = 0

    def error(self, message, line=None):
        return ValueError(f'line {(self.i if line is None else line) + 1}: {message}')

    def peek(self):
        """(indent, content) of the next line with content, skipping blank and comment lines."""
        while self.i < len(self.lines):
            line = self.lines[self.i]
            content = line.lstrip(' ')
            if content.strip() and not content.startswith('#'):
                if content.startswith('\t'):
                    raise self.error('tabs are not allowed in indentation')
                return len(line) - len(content), content.rstrip()
            self.i += 1
        return None

    def block(self, parent):
        """The node on the next line, indented more than `parent`."""
        indent, content = self.peek()
        if indent <= parent:
            return None
        if content == '-' or content.startswith('- '):
            return self.sequence(indent)
        if _KEY.match(content):
            return self.mapping(indent)
        self.i += 1
        return self.scalar(content, parent)

    def sequence(self, indent):
        items = []
        while (next_line := self.peek()) and next_line[0] == indent and (next_line[1] == '-' or next_line[1].startswith('- ')):
            after_dash = next_line[1][1:]
            rest = after_dash.lstrip(' ')
            if not rest or rest.startswith('#'):
                self.i += 1
                items.append(self.block(indent))
                continue
            # A compact item (`- key: value`, `- - a`, `- scalar`): read it as if it started on its own line.
            self.lines[self.i] = ' ' * (indent + 1 + len(after_dash) - len(rest)) + rest
            items.append(self.block(indent))
        self.check_dedent(indent)
        return items

    def mapping(self, indent):
        result = {}
        while (next_line := self.peek()) and next_line[0] == indent:
            match = _KEY.match(next_line[1])
            if not match:
                break
            key = self.key(match['key'])
            if key in result:
                raise self.error(f'duplicate key {key!r}')
            self.i += 1
            result[key] = self.value(match['rest'].strip(), indent)
        self.check_dedent(indent)
        return result

    def check_dedent(self, indent):
        next_line = self.peek()
        if next_line and next_line[0] > indent:
            raise self.error(f'unexpected indentation before {next_line[1]!r}')

    def key(self, text):
        if text[0] in '"\'':
            return self.quoted(text, -1)
        return text.strip()

    def value(self, rest, indent):
        """The value after `key:` in a mapping at `indent`."""
        if not rest or rest.startswith('#'):
            next_line = self.peek()
            # A sequence may stand at its key's own indentation (`key:` then `- item`).
            if next_line and next_line[0] == indent and (next_line[1] == '-' or next_line[1].startswith('- ')):
                return self.sequence(indent)
            return self.block(indent) if next_line else None
        return self.scalar(rest, indent)

    def scalar(self, text, parent):
        """A scalar that starts with `text` (on a line already read) and may go on over lines indented more than `parent`."""
        first = text[0]
        if first in '&*!%@`':
            raise self.error(f'anchors, aliases, tags and directives are not supported: {text!r}', self.i - 1)
        if first in '|>':
            return self.block_scalar(text, parent)
        if first in '"\'':
            return self.quoted(text, parent)
        if first in '[{':
            return self.flow(text, parent)
        lines = [re.sub(r'\s+#.*$', '', text).strip()]
        lines += self.continuation(parent)
        return _resolve(_fold([line.strip() for line in lines]))

    def continuation(self, parent):
        """Raw lines indented more than `parent` (blank ones included) that continue a scalar."""
        lines = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            stripped = line.strip()
            if stripped and (len(line) - len(line.lstrip(' ')) <= parent or stripped.startswith('#')):
                break
            lines.append(line)
            self.i += 1
        while lines and not lines[-1].strip():
            lines.pop()
            self.i -= 1
        return lines

    def quoted(self, text, parent):
        quote = text[0]
        pattern = r'"((?:[^"\\]|\\.)*)"' if quote == '"' else r"'((?:[^']|'')*)'"
        source = text
        start = self.i
        while not (match := re.match(pattern, source, re.S)):
            if self.i >= len(self.lines) or parent < 0:
                raise self.error(f'unterminated {quote}-quoted string', start - 1)
            source += '\n' + self.lines[self.i]
            self.i += 1
        tail = source[match.end():].strip()
        if tail and not tail.startswith('#') and parent >= 0:
            raise self.error(f'unexpected {tail!r} after a quoted string', self.i - 1)
        body = match[1]
        if quote == "'":
            return _fold_quoted(body.split('\n'), escapes=False).replace("''", "'")
        return _unescape(body)

    def flow(self, text, parent):
        source = '\n'.join([text] + [line.strip() for line in self.continuation(parent)])
        try:
            return json.loads(source)
        except ValueError:
            raise self.error(f'only flow collections written as JSON are supported: {source!r}')

    def block_scalar(self, header, parent):
        match = re.fullmatch(r'([|>])([1-9]?)([-+]?)([1-9]?)\s*(#.*)?', header)
        if not match:
            raise self.error(f'bad block scalar header {header!r}', self.i - 1)
        style, chomp = match[1], match[3]
        explicit = match[2] or match[4]
        lines = self.continuation(parent)
        # Keep trailing blank lines for `+` chomping.
        while chomp == '+' and self.i < len(self.lines) and not self.lines[self.i].strip():
            lines.append('')
            self.i += 1
        if explicit:
            indent = max(parent, 0) + int(explicit)
        else:
            indent = min((len(line) - len(line.lstrip(' ')) for line in lines if line.strip()), default=0)
        content = [line[indent:] for line in lines]
        if style == '|':
            text = '\n'.join(content)
        else:
            text = _fold_block(content)
        body = text.rstrip('\n')
        if chomp == '-' or not body:
            return body
        return text + '\n' if chomp == '+' else body + '\n'


def _fold(lines):
    """Flow folding: a line break becomes a space, n blank lines become n line feeds."""
    out = ''
    blank = 0
    for index, line in enumerate(lines):
        if not line and index > 0:
            blank += 1
            continue
        if index > 0:
            out += '\n' * blank if blank else ' '
        blank = 0
        out += line
    return out


def _fold_block(lines):
    """Folding of a `>` block scalar: a break between two lines that are not more indented becomes a
    space, unless blank lines follow it (each then gives a line feed); breaks around more-indented lines stay."""
    out = ''
    previous = None
    blank = 0
    for line in lines:
        if not line:
            blank += 1
            continue
        if previous is None:
            out += '\n' * blank + line
        elif line.startswith(' ') or previous.startswith(' '):
            out += '\n' * (blank + 1) + line
        else:
            out += ('\n' * blank if blank else ' ') + line
        previous = line
        blank = 0
    return out + '\n' * blank


def _unescape(body):
    joined = _fold_quoted(body.split('\n'), escapes=True)
    out = []
    index = 0
    while index < len(joined):
        char = joined[index]
        if char != '\\':
            out.append(char)
            index += 1
            continue
        code = joined[index + 1:index + 2]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            index += 2
        elif code in _HEX_ESCAPES:
            digits = joined[index + 2:index + 2 + _HEX_ESCAPES[code]]
            out.append(chr(int(digits, 16)))
            index += 2 + len(digits)
        else:
            raise ValueError(f'unknown escape \\{code} in a double-quoted string')
    return ''.join(out)


def _fold_quoted(lines, escapes):
    """Folding of a quoted scalar: as `_fold`, but white space next to the quotes stays and, with `escapes`
    (double quotes), a break escaped by a backslash vanishes and an escaped trailing space stays."""
    joined = ''
    blank = 0
    for number, line in enumerate(lines):
        last = number == len(lines) - 1
        if number > 0:
            line = line.lstrip(' \t')
        if not last:
            line = _trim_end(line, escapes)
        if not line and 0 < number and not last:
            blank += 1
            continue
        if number > 0:
            if escapes and _odd_backslashes(joined) and not blank:
                joined = joined[:-1]
            else:
                joined += '\n' * blank if blank else ' '
        joined += line
        blank = 0
    return joined


def _trim_end(line, escapes):
    """The line without trailing white space, but for an escaped space or tab."""
    trimmed = line.rstrip(' \t')
    if escapes and len(trimmed) < len(line) and _odd_backslashes(trimmed):
        trimmed += line[len(trimmed)]
    return trimmed


def _odd_backslashes(text):
    return (len(text) - len(text.rstrip('\\'))) % 2 == 1


def _resolve(text):
    """A plain scalar's value, as the YAML 1.2 core schema resolves it."""
    if text in ('', '~', 'null', 'Null', 'NULL'):
        return None
    if text in ('true', 'True', 'TRUE'):
        return True
    if text in ('false', 'False', 'FALSE'):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if re.fullmatch(r'0o[0-7]+', text):
        return int(text[2:], 8)
    if re.fullmatch(r'0x[0-9a-fA-F]+', text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if re.fullmatch(r'[-+]?\.(inf|Inf|INF)', text):
        return float('-inf' if text[0] == '-' else 'inf')
    if text in ('.nan', '.NaN', '.NAN'):
        return float('nan')
    return text
