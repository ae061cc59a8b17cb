#!/usr/bin/env python3
"""The documentation agrees with itself and with the programs.

`test_docs.py sources SRC` (ctest docs.sources) checks, from the source tree
alone:
  - docs/openapi.json is JSON without duplicate keys and a structurally valid
    OpenAPI 3.0 document: required fields, every $ref resolves, every path
    parameter is declared and every declared one is in the path, response
    codes, security schemes, and every example matches its schema;
  - (the routes themselves are held to the daemon's table by
    e2e.api_document, which asks `tonewired --routes` and a running daemon);
  - the JSON examples of docs/result.md and docs/formats.md match the
    document's Result and CapturePlan schemas, and every fault code the
    classifier writes is documented in both;
  - every key of daemon/tonewired.conf.example is documented in
    docs/formats.md and tonewired(8);
  - the Markdown of docs/ and the READMEs links only to files and headings
    that exist;
  - nothing in the tree (sources, scripts, tests, docs) cites a design document that is not in
    the repository.

`test_docs.py man SRC BUILD` (ctest docs.man) checks the built man pages:
each renders with groff without a warning, and tonewire(1) and tonewired(8)
name every command and option that the programs' --help lists.

Only the Python standard library is used.
"""
import json
import os
import re
import shutil
import subprocess
import sys

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# --- OpenAPI structure ------------------------------------------------------

def load_json_strict(path):
    def no_dupes(pairs):
        seen = {}
        for k, v in pairs:
            if k in seen:
                raise ValueError(f"duplicate key {k!r}")
            seen[k] = v
        return seen
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=no_dupes)


def pointer(doc, ref):
    """Resolve a local $ref ("#/a/b") or return None."""
    if not ref.startswith("#/"):
        return None
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def walk_refs(doc, node, where):
    if isinstance(node, dict):
        if "$ref" in node:
            if pointer(doc, node["$ref"]) is None:
                fail(f"{where}: $ref {node['$ref']} does not resolve")
            extra = [k for k in node if k != "$ref"]
            if extra:
                fail(f"{where}: keys {extra} beside $ref are ignored by OpenAPI 3.0 (use allOf)")
        for k, v in node.items():
            walk_refs(doc, v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk_refs(doc, v, f"{where}/{i}")


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = pointer(doc, node["$ref"]) or {}
    return node


SCHEMA_TYPES = {"string", "number", "integer", "boolean", "array", "object"}


def check_schema(doc, s, where):
    if not isinstance(s, dict):
        fail(f"{where}: a schema must be an object")
        return
    if "$ref" in s:
        return
    t = s.get("type")
    if t is not None and t not in SCHEMA_TYPES:
        fail(f"{where}: unknown type {t!r}")
    if t == "array" and "items" not in s:
        fail(f"{where}: an array schema needs items")
    if "nullable" in s and not isinstance(s["nullable"], bool):
        fail(f"{where}: nullable must be true or false")
    if "enum" in s and (not isinstance(s["enum"], list) or not s["enum"]):
        fail(f"{where}: enum must be a non-empty list")
    props = s.get("properties", {})
    if "required" in s:
        req = s["required"]
        if not isinstance(req, list) or not req or not all(isinstance(r, str) for r in req):
            fail(f"{where}: required must be a non-empty list of names")
        elif "properties" in s:
            for r in req:
                if r not in props:
                    fail(f"{where}: required property {r!r} is not among its properties")
    for k, v in props.items():
        check_schema(doc, v, f"{where}/properties/{k}")
    if isinstance(s.get("items"), dict):
        check_schema(doc, s["items"], f"{where}/items")
    if isinstance(s.get("additionalProperties"), dict):
        check_schema(doc, s["additionalProperties"], f"{where}/additionalProperties")
    for comb in ("allOf", "oneOf", "anyOf"):
        if comb in s:
            if not isinstance(s[comb], list) or not s[comb]:
                fail(f"{where}: {comb} must be a non-empty list")
                continue
            for i, sub in enumerate(s[comb]):
                check_schema(doc, sub, f"{where}/{comb}/{i}")


def validate(doc, inst, schema, where, errors):
    """A small JSON Schema (OpenAPI 3.0 dialect) validator for the examples."""
    schema = deref(doc, schema)
    if inst is None and schema.get("nullable"):
        return
    if inst is None and "oneOf" not in schema:
        errors.append(f"{where}: null where the schema does not allow it")
        return
    for sub in schema.get("allOf", []):
        validate(doc, inst, sub, where, errors)
    if "oneOf" in schema:
        ok = 0
        for sub in schema["oneOf"]:
            e = []
            validate(doc, inst, sub, where, e)
            ok += not e
        if ok != 1:
            errors.append(f"{where}: matches {ok} of the oneOf alternatives, not exactly one")
    t = schema.get("type")
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    if t and not checks[t](inst):
        errors.append(f"{where}: {inst!r} is not of type {t}")
        return
    if "enum" in schema and inst not in schema["enum"]:
        errors.append(f"{where}: {inst!r} is not one of {schema['enum']}")
    if isinstance(inst, (int, float)) and not isinstance(inst, bool):
        if "minimum" in schema and inst < schema["minimum"]:
            errors.append(f"{where}: {inst} is below {schema['minimum']}")
        if "maximum" in schema and inst > schema["maximum"]:
            errors.append(f"{where}: {inst} is above {schema['maximum']}")
    if isinstance(inst, str):
        if len(inst) < schema.get("minLength", 0) or len(inst) > schema.get("maxLength", len(inst)):
            errors.append(f"{where}: {inst!r} has the wrong length")
        if "pattern" in schema and not re.search(schema["pattern"], inst):
            errors.append(f"{where}: {inst!r} does not match {schema['pattern']}")
    if isinstance(inst, list) and "items" in schema:
        for i, v in enumerate(inst):
            validate(doc, v, schema["items"], f"{where}[{i}]", errors)
    if isinstance(inst, dict):
        props = schema.get("properties", {})
        for r in schema.get("required", []):
            if r not in inst:
                errors.append(f"{where}: required key {r!r} is missing")
        for k, v in inst.items():
            if k in props:
                validate(doc, v, props[k], f"{where}.{k}", errors)
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: key {k!r} is not allowed")


PATH_ITEM_KEYS = {"get", "put", "post", "delete", "options", "head", "patch", "trace",
                  "summary", "description", "servers", "parameters", "$ref"}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def check_parameters(doc, params, where):
    out = {}
    for i, p in enumerate(params or []):
        p = deref(doc, p)
        w = f"{where}/parameters/{i}"
        if not isinstance(p.get("name"), str) or p.get("in") not in ("query", "header", "path", "cookie"):
            fail(f"{w}: a parameter needs a name and in (query, header, path or cookie)")
            continue
        if p["in"] == "path" and p.get("required") is not True:
            fail(f"{w}: path parameter {p['name']!r} must be required: true")
        if ("schema" in p) == ("content" in p):
            fail(f"{w}: a parameter needs exactly one of schema and content")
        if "schema" in p:
            check_schema(doc, p["schema"], f"{w}/schema")
        key = (p["name"], p["in"])
        if key in out:
            fail(f"{w}: parameter {key} declared twice")
        out[key] = p
    return out


def check_content(doc, content, where):
    if not isinstance(content, dict) or not content:
        fail(f"{where}: content must name at least one media type")
        return
    for mt, m in content.items():
        if "schema" in m:
            check_schema(doc, m["schema"], f"{where}/{mt}/schema")
        if "example" in m and "schema" in m:
            errors = []
            validate(doc, m["example"], m["schema"], f"{where}/{mt}/example", errors)
            for e in errors:
                fail(e)


def check_openapi(doc):
    if not re.fullmatch(r"3\.0\.\d+", str(doc.get("openapi", ""))):
        fail("openapi: expected a 3.0.x version string")
    info = doc.get("info", {})
    if not isinstance(info.get("title"), str) or not isinstance(info.get("version"), str):
        fail("info: title and version (strings) are required")
    if "license" in info and not isinstance(info["license"].get("name"), str):
        fail("info.license: name is required")
    for k in doc:
        if k not in ("openapi", "info", "servers", "paths", "components", "security", "tags",
                     "externalDocs") and not k.startswith("x-"):
            fail(f"unknown top-level key {k!r}")
    for s in doc.get("servers", []):
        if not isinstance(s.get("url"), str):
            fail("servers: every server needs a url")
    walk_refs(doc, doc, "#")

    comps = doc.get("components", {})
    for kind, items in comps.items():
        if kind not in ("schemas", "responses", "parameters", "examples", "requestBodies", "headers",
                        "securitySchemes", "links", "callbacks") and not kind.startswith("x-"):
            fail(f"components: unknown kind {kind!r}")
        for name in items:
            if not re.fullmatch(r"[A-Za-z0-9.\-_]+", name):
                fail(f"components/{kind}: name {name!r} is not allowed")
    for name, s in comps.get("schemas", {}).items():
        check_schema(doc, s, f"#/components/schemas/{name}")
    schemes = comps.get("securitySchemes", {})
    for name, s in schemes.items():
        t = s.get("type")
        if t not in ("apiKey", "http", "oauth2", "openIdConnect"):
            fail(f"securityScheme {name}: unknown type {t!r}")
        if t == "apiKey" and (not s.get("name") or s.get("in") not in ("query", "header", "cookie")):
            fail(f"securityScheme {name}: apiKey needs name and in (query, header, cookie)")
        if t == "http" and not s.get("scheme"):
            fail(f"securityScheme {name}: http needs a scheme")

    def check_security(req, where):
        for alt in req:
            for name in alt:
                if name not in schemes:
                    fail(f"{where}: security scheme {name!r} is not declared")
    check_security(doc.get("security", []), "security")
    tags = {t["name"] for t in doc.get("tags", [])}

    op_ids = set()
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        fail("paths: required and not empty")
        return
    for path, item in paths.items():
        if not path.startswith("/"):
            fail(f"path {path!r} must start with /")
        for k in item:
            if k not in PATH_ITEM_KEYS and not k.startswith("x-"):
                fail(f"{path}: unknown key {k!r}")
        template = set(re.findall(r"\{([^}/]+)\}", path))
        shared = check_parameters(doc, item.get("parameters"), path)
        for method in METHODS & set(item):
            op = item[method]
            where = f"{method.upper()} {path}"
            oid = op.get("operationId")
            if oid is not None:
                if oid in op_ids:
                    fail(f"{where}: operationId {oid} is used twice")
                op_ids.add(oid)
            for t in op.get("tags", []):
                if t not in tags:
                    fail(f"{where}: tag {t!r} is not declared")
            params = dict(shared)
            params.update(check_parameters(doc, op.get("parameters"), where))
            declared = {n for (n, i) in params if i == "path"}
            for n in template - declared:
                fail(f"{where}: path parameter {{{n}}} is not declared")
            for n in declared - template:
                fail(f"{where}: path parameter {n!r} is declared but not in the path")
            if "requestBody" in op:
                rb = deref(doc, op["requestBody"])
                check_content(doc, rb.get("content"), f"{where}/requestBody/content")
            if "security" in op:
                check_security(op["security"], where)
            responses = op.get("responses")
            if not isinstance(responses, dict) or not responses:
                fail(f"{where}: responses are required")
                continue
            for code, r in responses.items():
                if not re.fullmatch(r"[1-5](\d\d|XX)|default", code):
                    fail(f"{where}: {code!r} is not a response code")
                r = deref(doc, r)
                if not isinstance(r.get("description"), str):
                    fail(f"{where} {code}: a response needs a description")
                if "content" in r:
                    check_content(doc, r["content"], f"{where} {code}/content")
                for h, hv in r.get("headers", {}).items():
                    if "schema" not in hv and "content" not in hv:
                        fail(f"{where} {code}: header {h} needs a schema")


# --- The documents against the code ----------------------------------------

def json_blocks(md):
    return [m for m in re.findall(r"```json\n(.*?)```", md, re.S)]


def check_examples(doc, src):
    result_schema = {"$ref": "#/components/schemas/Result"}
    blocks = json_blocks(read(os.path.join(src, "docs/result.md")))
    if not blocks:
        fail("docs/result.md has no JSON example")
    for i, b in enumerate(blocks):
        errors = []
        validate(doc, json.loads(b), result_schema, f"docs/result.md example {i + 1}", errors)
        for e in errors:
            fail(e)
    blocks = json_blocks(read(os.path.join(src, "docs/formats.md")))
    if len(blocks) != 1:
        fail("docs/formats.md: expected one JSON example (the capture plan)")
    for b in blocks:
        errors = []
        validate(doc, json.loads(b), {"$ref": "#/components/schemas/CapturePlan"},
                 "docs/formats.md capture plan", errors)
        for e in errors:
            fail(e)


def check_fault_codes(doc, src):
    m = re.search(r"fault_names\[[^\]]*\]\s*=\s*\{([^}]*)\}", read(os.path.join(src, "dsp/classify_describe.c")))
    if not m:
        fail("cannot find the fault code table (fault_names) in dsp/classify_describe.c")
        return
    codes = re.findall(r'"([a-z_]+)"', m.group(1))
    enum = set(doc["components"]["schemas"]["Fault"]["properties"]["code"]["enum"])
    table = set(re.findall(r"^\| `([a-z_]+)` \| (?:fail|error) \|", read(os.path.join(src, "docs/result.md")), re.M))
    for c in codes:
        if c not in enum:
            fail(f"fault code {c} (dsp/classify_describe.c) is not in openapi.json's Fault.code")
        if c not in table:
            fail(f"fault code {c} (dsp/classify_describe.c) is not in docs/result.md's table of codes")
    if enum != table:
        fail(f"fault codes differ between openapi.json and docs/result.md: {sorted(enum ^ table)}")


def check_config_keys(src):
    example = read(os.path.join(src, "daemon/tonewired.conf.example"))
    formats = read(os.path.join(src, "docs/formats.md"))
    man = read(os.path.join(src, "docs/man/tonewired.8.scd"))
    section, keys = None, []
    for line in example.splitlines():
        s = re.match(r"\s*\[([a-z]+)\]", line)
        if s:
            section = s.group(1)
            continue
        k = re.match(r"\s*[;#]?\s*([a-z_]+)\s*=", line)
        if k and section:
            keys.append((section, k.group(1)))
    if len(keys) < 10:
        fail("daemon/tonewired.conf.example: expected its keys as 'key = value' lines")
    for section, key in keys:
        if f"| `[{section}] {key}`" not in formats:
            fail(f"[{section}] {key} (tonewired.conf.example) is not in docs/formats.md's table")
        if f"*{key}*" not in man:
            fail(f"[{section}] {key} (tonewired.conf.example) is not in tonewired(8)")


def slug(heading):
    """The anchor a heading gets on GitHub and most Markdown renderers."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(md):
    seen, out = {}, set()
    in_code = False
    for line in md.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        m = re.match(r"#{1,6} (.*)", line)
        if m:
            a = slug(m.group(1))
            n = seen.get(a, 0)
            seen[a] = n + 1
            out.add(a if n == 0 else f"{a}-{n}")
    return out


def check_links(src):
    files = ["README.md", "profiles/README.md", "sim/README.md"]
    files += [os.path.join("docs", f) for f in sorted(os.listdir(os.path.join(src, "docs"))) if f.endswith(".md")]
    for rel in files:
        path = os.path.join(src, rel)
        text = re.sub(r"```.*?```", "", read(path), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if not os.path.exists(dest):
                fail(f"{rel}: link to {target}: {file_part} does not exist")
                continue
            if anchor and dest.endswith(".md") and anchor not in anchors(read(dest)):
                fail(f"{rel}: link to {target}: no heading #{anchor} in {os.path.relpath(dest, src)}")


def check_no_outside_design(src):
    """The design document lives outside the repository; nothing may cite it."""
    cite = re.compile("DESIGN|\u00a7")
    roots = ["README.md", "docs", "profiles", "sim", "web", "tests", "dsp", "station", "daemon", "cli", "bench",
             "scripts", "systemd", "udev", "packaging"]
    me = os.path.abspath(__file__)
    for r in roots:
        top = os.path.join(src, r)
        walk = [(os.path.dirname(top), [], [os.path.basename(top)])] if os.path.isfile(top) else os.walk(top)
        for root, dirs, files in walk:
            dirs[:] = [d for d in dirs if d != "node_modules"]
            for f in files:
                p = os.path.join(root, f)
                if os.path.abspath(p) == me:
                    continue
                try:
                    text = read(p)
                except (UnicodeDecodeError, OSError):
                    continue
                for n, line in enumerate(text.splitlines(), 1):
                    if cite.search(line):
                        fail(f"{os.path.relpath(p, src)}:{n}: cites a document outside the repository: "
                             f"{line.strip()[:80]}")


def sources(src):
    try:
        doc = load_json_strict(os.path.join(src, "docs/openapi.json"))
    except ValueError as e:
        fail(f"docs/openapi.json is not valid JSON: {e}")
        return
    check_openapi(doc)
    check_examples(doc, src)
    check_fault_codes(doc, src)
    check_config_keys(src)
    check_links(src)
    check_no_outside_design(src)


# --- Man pages --------------------------------------------------------------

def help_text(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    if p.returncode != 0:
        fail(f"{' '.join(argv)} exited {p.returncode}")
    return p.stdout


def man(src, build):
    groff = shutil.which("groff")
    if not groff:
        fail("groff not found (Debian package groff-base; scripts/deps installs it)")
        return
    pages = {"tonewire.1", "tonewired.8", "tonewire-profiles.5"}
    for page in sorted(pages):
        path = os.path.join(build, "docs", "man", page)
        if not os.path.exists(path):
            fail(f"{path} was not built")
            continue
        if not os.path.exists(path + ".gz"):
            fail(f"{path}.gz (the installed form) was not built")
        p = subprocess.run([groff, "-t", "-man", "-Tutf8", "-ww", "-z", path],
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0 or p.stderr.strip():
            fail(f"{page} does not render cleanly: {p.stderr.strip()[:400]}")

    cli = os.path.join(build, "cli", "tonewire")
    page = read(os.path.join(src, "docs/man/tonewire.1.scd"))
    commands = re.findall(r"^  ([a-z]+)\s+\S", help_text([cli, "--help"]), re.M)
    if len(commands) < 8:
        fail(f"tonewire --help lists only {commands}: cannot read its commands")
    for c in commands:
        if f"\n## {c}\n" not in page:
            fail(f"tonewire(1) has no section for the command {c}")
        for opt in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text([cli, c, "--help"])))):
            if f"*{opt}*" not in page:
                fail(f"tonewire(1) does not describe {opt} of 'tonewire {c}'")
    daemon = os.path.join(build, "daemon", "tonewired")
    page = read(os.path.join(src, "docs/man/tonewired.8.scd"))
    for opt in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text([daemon, "--help"])))):
        if f"*{opt}*" not in page:
            fail(f"tonewired(8) does not describe {opt}")


def main(argv):
    if len(argv) >= 3 and argv[1] == "sources":
        sources(argv[2])
    elif len(argv) >= 4 and argv[1] == "man":
        man(argv[2], argv[3])
    else:
        print("usage: test_docs.py sources SRC | man SRC BUILD", file=sys.stderr)
        return 2
    if FAILURES:
        print(f"{len(FAILURES)} problem(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
