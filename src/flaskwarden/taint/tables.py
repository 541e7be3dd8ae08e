"""Taint sources, sanitizers and sinks, as data.

Every entry is a qualified name as the analyzer resolves it through the module's imports
(``from flask import request`` makes ``request.args`` ``flask.request.args``). Adding a
framework helper or a database driver is a line here, not a change to the engine.

Sink kinds (each maps to one rule):

==============  ======  ===============================================================
kind            rule    meaning
==============  ======  ===============================================================
``xss``         FW301   request data in an HTML response built in Python
``template``    FW302   request data printed unescaped by a template (joined later)
``ssti``        FW303   request data in the *source* of a template
``redirect``    FW304   request data as a redirect target
``sql``         FW305   request data in the text of an SQL statement
``path``        FW306   request data in a filesystem path
``code``        FW308   request data executed as code or a shell command, or unpickled
``ssrf``        FW309   request data as the URL of an outbound request
==============  ======  ===============================================================
"""

from __future__ import annotations

from typing import Final

RULE_OF_KIND: Final[dict[str, str]] = {
    "xss": "FW301",
    "template": "FW302",
    "ssti": "FW303",
    "redirect": "FW304",
    "sql": "FW305",
    "path": "FW306",
    "code": "FW308",
    "ssrf": "FW309",
}
ALL_KINDS: Final = frozenset(RULE_OF_KIND)

# -- sources ---------------------------------------------------------------------------

# Attributes of flask.request holding request data. "obj" values are containers
# (a MultiDict, the parsed JSON, a FileStorage); items read out of them are strings.
REQUEST_ATTRIBUTES: Final[dict[str, str]] = {
    "args": "obj",
    "form": "obj",
    "values": "obj",
    "json": "obj",
    "files": "obj",
    "cookies": "obj",
    "headers": "obj",
    "view_args": "obj",
    "data": "str",
    "path": "str",
    "full_path": "str",
    "url": "str",
    "base_url": "str",
    "query_string": "str",
    "referrer": "str",
    "user_agent": "obj",
    "stream": "obj",
}
# The request's own URL: redirecting to it (post/redirect/get to self) goes nowhere
# an attacker chooses.
SAME_ORIGIN_ATTRIBUTES: Final = frozenset({"path", "full_path", "url", "base_url"})
# Set by the victim's own browser: redirecting "back where the user came from" sends
# them nowhere an attacker can choose, short of a page the user was already on.
BROWSER_SET_ATTRIBUTES: Final = frozenset({"referrer"})
BROWSER_SET_HEADERS: Final = frozenset({"referer", "referrer"})
REQUEST_METHODS: Final[dict[str, str]] = {
    "get_json": "obj",
    "get_data": "str",
}
# What Flask's and Werkzeug's Request define besides the sources above: reading one is
# never a value the app stored on the request (``request.all_data = ...``).
REQUEST_OWN_ATTRIBUTES: Final = frozenset(
    {
        "accept_charsets", "accept_encodings", "accept_languages", "accept_mimetypes",
        "access_control_request_headers", "access_control_request_method", "access_route",
        "application", "authorization", "blueprint", "blueprints", "cache_control",
        "content_encoding", "content_length", "content_md5", "content_type", "date",
        "endpoint", "environ", "host", "host_url", "if_match", "if_modified_since",
        "if_none_match", "if_range", "if_unmodified_since", "input_stream", "is_json",
        "is_multiprocess", "is_multithread", "is_run_once", "is_secure", "max_content_length",
        "max_forwards", "method", "mimetype", "mimetype_params", "origin", "pragma",
        "range", "remote_addr", "remote_user", "root_path", "root_url", "routing_exception",
        "scheme", "script_root", "server", "shallow", "trusted_hosts", "url_charset",
        "url_root", "url_rule",
    }
)  # fmt: skip
# Route converters whose values cannot carry strings.
SAFE_CONVERTERS: Final = frozenset({"int", "float", "uuid"})
# Werkzeug's converters that pass text on (any other name is the app's own).
TEXT_CONVERTERS: Final = frozenset({"string", "default", "path", "any"})

# -- sanitizers ------------------------------------------------------------------------

# Calls whose result carries no taint at all.
CLEANING_CALLS: Final = frozenset(
    {
        "int",
        "float",
        "bool",
        "len",
        "abs",
        "round",
        "hash",
        "id",
        "isinstance",
        "uuid.UUID",
        "flask.url_for",
        "flask.helpers.url_for",
        "datetime.date.fromisoformat",
        "datetime.datetime.fromisoformat",
        "decimal.Decimal",
    }
)
# Calls that make a value safe for some sink kinds only.
SANITIZERS: Final[dict[str, frozenset[str]]] = {
    "markupsafe.escape": frozenset({"xss", "template"}),
    "flask.escape": frozenset({"xss", "template"}),
    "html.escape": frozenset({"xss", "template"}),
    "markupsafe.Markup.escape": frozenset({"xss", "template"}),
    "flask.Markup.escape": frozenset({"xss", "template"}),
    "bleach.clean": frozenset({"xss", "template"}),
    "werkzeug.utils.secure_filename": frozenset({"path"}),
    "werkzeug.secure_filename": frozenset({"path"}),
    "werkzeug.utils.safe_join": frozenset({"path"}),
    "werkzeug.security.safe_join": frozenset({"path"}),
    "flask.safe_join": frozenset({"path"}),
    "flask.helpers.safe_join": frozenset({"path"}),
    "os.path.basename": frozenset({"path"}),
    "shlex.quote": frozenset({"code"}),
    "pipes.quote": frozenset({"code"}),
    "urllib.parse.quote": frozenset({"xss", "template", "path", "code"}),
    "urllib.parse.quote_plus": frozenset({"xss", "template", "path", "code"}),
}
# Names that end a redirect-target validation helper the project writes itself
# (``if not is_safe_url(target): abort(400)``).
SAFE_URL_HELPERS: Final = (
    "is_safe_url",
    "is_safe_redirect",
    "safe_url",
    "url_has_allowed_host_and_scheme",
    "is_local_url",
    "is_relative_url",
    "is_internal_url",
    "allowed_host",
    "same_origin",
)

# Method names that pass their receiver's (and arguments') taint on to their result.
PROPAGATING_METHODS: Final = frozenset(
    {
        "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold",
        "replace", "format", "format_map", "join", "split", "rsplit", "splitlines",
        "partition", "rpartition", "encode", "decode", "removeprefix", "removesuffix",
        "zfill", "ljust", "rjust", "center", "expandtabs", "translate",
        "get", "getlist", "pop", "setdefault", "items", "values", "keys", "copy",
        "to_dict", "read", "__getitem__", "resolve", "absolute", "expanduser",
    }
)  # fmt: skip
PROPAGATING_CALLS: Final = frozenset(
    {
        "str", "repr", "format", "list", "tuple", "set", "dict", "sorted", "reversed",
        "os.path.join", "posixpath.join", "os.path.normpath", "os.path.abspath",
        "os.path.realpath", "posixpath.realpath", "os.path.expanduser",
        "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "urllib.parse.urljoin",
        "urllib.parse.unquote", "urllib.parse.unquote_plus", "base64.b64decode",
        "base64.urlsafe_b64decode", "bytes.fromhex", "json.loads", "json.dumps",
        "textwrap.dedent", "string.Template", "werkzeug.urls.url_unquote",
    }
)  # fmt: skip

# Calls returning a copy of their argument: the same data, the same shape.
COPYING_CALLS: Final = frozenset({"copy.copy", "copy.deepcopy"})

# Calls and methods that make a path absolute and free of "..": a containment check on
# their result (startswith, commonpath, is_relative_to) proves the path stays inside.
NORMALIZING_CALLS: Final = frozenset(
    {"os.path.realpath", "os.path.abspath", "os.path.normpath", "posixpath.realpath",
     "posixpath.abspath", "posixpath.normpath"}
)  # fmt: skip
NORMALIZING_METHODS: Final = frozenset({"resolve"})

# -- sinks -----------------------------------------------------------------------------

# Qualified calls: (kind, index of the dangerous argument, keyword carrying it).
SINK_CALLS: Final[dict[str, tuple[str, int, str]]] = {
    "flask.render_template_string": ("ssti", 0, "source"),
    "jinja2.Template": ("ssti", 0, "source"),
    "flask.redirect": ("redirect", 0, "location"),
    "werkzeug.utils.redirect": ("redirect", 0, "location"),
    "sqlalchemy.text": ("sql", 0, "text"),
    "sqlalchemy.sql.text": ("sql", 0, "text"),
    "sqlalchemy.sql.expression.text": ("sql", 0, "text"),
    "pandas.read_sql": ("sql", 0, "sql"),
    "pandas.read_sql_query": ("sql", 0, "sql"),
    "open": ("path", 0, "file"),
    "io.open": ("path", 0, "file"),
    "codecs.open": ("path", 0, "filename"),
    "flask.send_file": ("path", 0, "path_or_file"),
    "flask.helpers.send_file": ("path", 0, "path_or_file"),
    "os.remove": ("path", 0, "path"),
    "os.unlink": ("path", 0, "path"),
    "os.rmdir": ("path", 0, "path"),
    "os.listdir": ("path", 0, "path"),
    "os.makedirs": ("path", 0, "name"),
    "shutil.rmtree": ("path", 0, "path"),
    "shutil.copy": ("path", 1, "dst"),
    "shutil.copy2": ("path", 1, "dst"),
    "shutil.copyfile": ("path", 1, "dst"),
    "shutil.move": ("path", 1, "dst"),
    "os.rename": ("path", 1, "dst"),
    "os.replace": ("path", 1, "dst"),
    "eval": ("code", 0, "source"),
    "exec": ("code", 0, "source"),
    "compile": ("code", 0, "source"),
    "os.system": ("code", 0, "command"),
    "os.popen": ("code", 0, "cmd"),
    "pickle.loads": ("code", 0, "data"),
    "pickle.load": ("code", 0, "file"),
    "cPickle.loads": ("code", 0, "data"),
    "dill.loads": ("code", 0, "str"),
    "marshal.loads": ("code", 0, "bytes"),
    "yaml.unsafe_load": ("code", 0, "stream"),
    "jsonpickle.decode": ("code", 0, "string"),
    "requests.get": ("ssrf", 0, "url"),
    "requests.post": ("ssrf", 0, "url"),
    "requests.put": ("ssrf", 0, "url"),
    "requests.patch": ("ssrf", 0, "url"),
    "requests.delete": ("ssrf", 0, "url"),
    "requests.head": ("ssrf", 0, "url"),
    "requests.options": ("ssrf", 0, "url"),
    "requests.request": ("ssrf", 1, "url"),
    "httpx.get": ("ssrf", 0, "url"),
    "httpx.post": ("ssrf", 0, "url"),
    "httpx.put": ("ssrf", 0, "url"),
    "httpx.patch": ("ssrf", 0, "url"),
    "httpx.delete": ("ssrf", 0, "url"),
    "httpx.head": ("ssrf", 0, "url"),
    "httpx.request": ("ssrf", 1, "url"),
    "httpx.stream": ("ssrf", 1, "url"),
    "urllib.request.urlopen": ("ssrf", 0, "url"),
    "urllib.request.Request": ("ssrf", 0, "url"),
    "urllib.urlopen": ("ssrf", 0, "url"),
    "flask.make_response": ("xss", 0, "response"),
    "flask.Response": ("xss", 0, "response"),
    "markupsafe.Markup": ("xss", 0, "base"),
    "flask.Markup": ("xss", 0, "base"),
}
# Calls with a second dangerous argument (the first is in SINK_CALLS): copying or
# moving a file the user names reads it out (the source) as much as writing (the dest).
SINK_CALLS_SOURCE: Final[dict[str, tuple[str, int, str]]] = {
    "shutil.copy": ("path", 0, "src"),
    "shutil.copy2": ("path", 0, "src"),
    "shutil.copyfile": ("path", 0, "src"),
    "shutil.move": ("path", 0, "src"),
    "os.rename": ("path", 0, "src"),
    "os.replace": ("path", 0, "src"),
}
# HTTP client objects whose request methods fetch the URL they are given.
HTTP_CLIENTS: Final = frozenset(
    {"requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client",
     "httpx.AsyncClient"}
)  # fmt: skip
# A session's methods take their URL where the module functions of the same name do
# (requests.get(url) / session.get(url), httpx.request(method, url) / client.request).
HTTP_CLIENT_METHODS: Final[dict[str, tuple[str, int, str]]] = {
    qual.partition(".")[2]: spec
    for qual, spec in SINK_CALLS.items()
    if qual.partition(".")[0] in ("requests", "httpx") and qual.count(".") == 1
}
# pathlib methods that touch the file a Path names: the receiver is the path.
PATH_METHODS: Final = frozenset(
    {"read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink", "rmdir",
     "mkdir", "touch", "iterdir", "rename", "replace", "symlink_to", "chmod"}
)  # fmt: skip
PATH_CLASSES: Final = frozenset(
    {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath"}
)
# Method names that are sinks whatever the receiver (database cursors, sessions, ...).
SINK_METHODS: Final[dict[str, tuple[str, int, str]]] = {
    "execute": ("sql", 0, "statement"),
    "executemany": ("sql", 0, "statement"),
    "executescript": ("sql", 0, "sql_script"),
    "raw": ("sql", 0, "raw_query"),
    "from_string": ("ssti", 0, "source"),
}
# subprocess calls: a sink when shell=True (or a string command with shell=True).
SUBPROCESS_CALLS: Final = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
    }
)
SAFE_YAML_LOADERS: Final = ("SafeLoader", "CSafeLoader", "BaseLoader")
RENDER_TEMPLATE: Final = frozenset({"flask.render_template", "flask.templating.render_template"})
MARKUP_CLASSES: Final = frozenset({"markupsafe.Markup", "flask.Markup", "jinja2.Markup"})

# Top-level packages that are never part of the project: calls into them do not get
# symbolic summaries (they are either in the tables above or carry no taint).
EXTERNAL_PACKAGES: Final = frozenset(
    {
        "flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "os", "sys",
        "re", "json", "time", "datetime", "logging", "subprocess", "shutil", "pathlib",
        "typing", "collections", "functools", "itertools", "hashlib", "hmac", "secrets",
        "random", "uuid", "base64", "urllib", "http", "socket", "sqlite3", "requests",
        "httpx", "sqlalchemy", "flask_sqlalchemy", "flask_login", "flask_wtf", "wtforms",
        "pickle", "yaml", "math", "decimal", "io", "csv", "html", "string", "textwrap",
        "threading", "asyncio", "contextlib", "dataclasses", "enum", "abc", "copy",
        "operator", "traceback", "warnings", "weakref", "tempfile", "glob", "zlib", "gzip",
    }
)  # fmt: skip
