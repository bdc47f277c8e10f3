"""Imports llm_extractinator Taskfiles as Pluk tasks, reading their parsers as data only.

A Taskfile (`TaskNNN_name.json`: Description, Parser_Format, ...) gives its output schema either
inline, as a dict of field specs (types str/int/float/bool/list/dict/any, `literals`,
`optional`, nested `items`/`properties`), or as the name of a Python file under `parsers/`
holding a pydantic `OutputParser` class. llm_extractinator imports and runs that file; Pluk never
does. The file is parsed with `ast` and only plain declarations are accepted: imports from
typing/pydantic/enum, classes deriving from BaseModel (or Enum, for allowed values) whose bodies
are annotated fields with constant defaults or `Field(...)` with constant arguments. Anything
else (a call, a decorator, a method, an unknown type) is refused with its line number.

The conversion mirrors what llm_extractinator did with the schema, and says where it differs:
every such difference is a note returned beside the task.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from pluk.core.errors import TaskError
from pluk.core.tasks.definition import NAME_PATTERN, TaskDefinition
from pluk.core.tasks.loader import parse_task

_INLINE_TYPES = ("str", "int", "float", "bool", "list", "dict", "any")
_SPEC_KEYS = {"type", "description", "literals", "optional", "items", "properties", "examples",
              "name"}
_IGNORED_TASKFILE_KEYS = {
    "Data_Path": "the reports are chosen when the task is run",
    "Input_Field": "the text column is chosen when the task is run",
    "Example_Path": "add worked examples to the task's 'examples' list",
    "Label_Field": "for DRAGON, use the ready tasks in tasks/dragon/",
    "Type": "Pluk tasks have no task type",
    "Task": None,  # becomes the title
}
_NAME_RE = re.compile(NAME_PATTERN)


class ImportRefused(TaskError):
    """The Taskfile or its parser cannot be converted; the message says where and why."""


# -- the Taskfile -------------------------------------------------------------------------------


def import_taskfile(path: str | Path, *, language: str = "en",
                    task_id: str | None = None) -> tuple[TaskDefinition, list[str]]:
    """Convert a Taskfile into a validated task; also returns notes on what changed on the way."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ImportRefused(f"Taskfile not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"{path}: cannot read the Taskfile ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg})") from None
    return convert_taskfile(data, source=str(path), base_dir=path.parent, stem=path.stem,
                            language=language, task_id=task_id)


def convert_taskfile(data: Any, *, source: str, base_dir: Path | None = None,
                     stem: str = "imported_task", language: str = "en",
                     task_id: str | None = None) -> tuple[TaskDefinition, list[str]]:
    if not isinstance(data, dict):
        raise ImportRefused(f"{source}: a Taskfile holds a JSON object")
    notes: list[str] = []
    description = data.get("Description")
    if not isinstance(description, str) or not description.strip():
        raise ImportRefused(f"{source}: the Taskfile has no 'Description'")
    parser_format = data.get("Parser_Format")
    if isinstance(parser_format, dict):
        fields = _inline_fields(parser_format, "Parser_Format", notes)
    elif isinstance(parser_format, str) and parser_format.strip():
        parser_path = _find_parser(parser_format.strip(), base_dir, source)
        try:
            text = parser_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportRefused(f"{parser_path}: cannot read the parser file ({exc})") from None
        fields = parse_parser_source(text, str(parser_path), notes)
    else:
        raise ImportRefused(f"{source}: 'Parser_Format' must be an inline dict of fields or the "
                            "name of a parser .py file")

    for key in data:
        if key in ("Description", "Parser_Format", "Extra_Instructions"):
            continue
        reason = _IGNORED_TASKFILE_KEYS.get(key, "not part of a Pluk task")
        if reason:
            notes.append(f"'{key}' is not imported: {reason}")

    identifier = task_id or _task_id(stem)
    title = data.get("Task") if isinstance(data.get("Task"), str) and data["Task"].strip() else stem
    task = {
        "id": identifier,
        "title": title.strip(),
        "description": description.strip(),
        "language": language,
        "fields": fields,
    }
    extra = data.get("Extra_Instructions")
    if isinstance(extra, str) and extra.strip():
        task["instructions"] = extra.strip()
    if _has_string_field(fields):
        notes.append("text fields are limited to 200 characters (Pluk's default); raise "
                     "'max_length' where longer text is expected, e.g. for 'reasoning'")
    return parse_task(task, source), notes


def _task_id(stem: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-") or "imported_task"
    if not cleaned[0].isalnum():
        cleaned = "t" + cleaned
    return cleaned[:100]


def _find_parser(name: str, base_dir: Path | None, source: str) -> Path:
    if not name.endswith(".py"):
        raise ImportRefused(f"{source}: 'Parser_Format' names {name!r}, which is not a .py file")
    base = base_dir or Path(".")
    # llm_extractinator looks in <task dir>/parsers/; a file beside the Taskfile is accepted too.
    for candidate in (base / "parsers" / name, base / name):
        if candidate.is_file():
            return candidate
    raise ImportRefused(f"{source}: parser file {name!r} not found in {base / 'parsers'} "
                        f"or {base}")


def _has_string_field(fields: list[dict[str, Any]]) -> bool:
    for spec in fields:
        inner = spec
        while inner["type"] == "list":
            inner = inner["items"]
        if inner["type"] == "string" or (inner["type"] == "object"
                                         and _has_string_field(inner["fields"])):
            return True
    return False


# -- inline Parser_Format -----------------------------------------------------------------------


def _check_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name) or len(name) > 64:
        raise ImportRefused(f"{where}: field name {name!r} is not usable (letters, digits and "
                            "underscores, not starting with a digit, at most 64 characters)")
    return name


def _inline_fields(specs: dict[str, Any], where: str, notes: list[str]) -> list[dict[str, Any]]:
    if not specs:
        raise ImportRefused(f"{where}: declares no fields")
    fields = []
    for name, spec in specs.items():
        field = _inline_spec(spec, f"{where}.{name}", notes)
        field["name"] = _check_name(name, f"{where}.{name}")
        fields.append(field)
    return fields


def _truthy_flag(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ImportRefused(f"{where}: 'optional' must be true or false, not {value!r}")


def _inline_spec(spec: Any, where: str, notes: list[str]) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise ImportRefused(f"{where}: a field spec must be an object with a 'type'")
    kind = spec.get("type")
    if kind not in _INLINE_TYPES:
        raise ImportRefused(f"{where}: unknown type {kind!r} (expected one of "
                            f"{', '.join(_INLINE_TYPES)})")
    for key in spec:
        if key == "Optional":
            notes.append(f"{where}: key 'Optional' is ignored, as llm_extractinator ignores it "
                         "(it reads 'optional')")
        elif key not in _SPEC_KEYS:
            notes.append(f"{where}: key {key!r} is ignored")
    description = spec.get("description") or ""
    if not isinstance(description, str):
        raise ImportRefused(f"{where}: 'description' must be text")
    examples = spec.get("examples")
    if isinstance(examples, list) and examples:
        shown = ", ".join(json.dumps(e, ensure_ascii=False) for e in examples)
        description = (description.rstrip() + " " if description else "") + f"Examples: {shown}."

    if kind == "dict":
        properties = spec.get("properties")
        if not isinstance(properties, dict) or not properties:
            raise ImportRefused(f"{where}: a 'dict' needs 'properties' naming its keys (Pluk has "
                                "no free-form objects)")
        field: dict[str, Any] = {"type": "object",
                                 "fields": _inline_fields(properties, where, notes)}
    elif kind == "list":
        items = spec.get("items")
        if items is None:
            raise ImportRefused(f"{where}: a 'list' needs 'items' (llm_extractinator requires "
                                "it too)")
        item = _inline_spec(items, f"{where}.items", notes)
        item.pop("name", None)
        field = {"type": "list", "items": item}
    elif kind == "any":
        notes.append(f"{where}: type 'any' became a text field (Pluk fields are typed)")
        field = {"type": "string"}
    else:
        field = {"type": {"str": "string", "int": "int", "float": "float",
                          "bool": "bool"}[kind]}

    literals = spec.get("literals")
    if literals is not None:
        if kind in ("list", "dict"):
            raise ImportRefused(f"{where}: 'literals' on a {kind} is not supported; put them on "
                                "the item or property they constrain")
        if not isinstance(literals, list) or not literals:
            raise ImportRefused(f"{where}: 'literals' must be a non-empty list")
        field = _literal_field(literals, where, notes)
    if description:
        field["description"] = description
    if "optional" in spec and _truthy_flag(spec["optional"], where):
        field["optional"] = True
    return field


def _literal_field(values: list[Any], where: str, notes: list[str]) -> dict[str, Any]:
    """Allowed values: a bool, a bounded int for a run of whole numbers, else an enum."""
    if any(isinstance(v, (list, dict)) or v is None for v in values):
        raise ImportRefused(f"{where}: allowed values must be text, numbers or booleans")
    if all(isinstance(v, bool) for v in values):
        return {"type": "bool"}
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        ordered = sorted(set(values))
        if ordered == list(range(ordered[0], ordered[-1] + 1)):
            return {"type": "int", "minimum": ordered[0], "maximum": ordered[-1]}
    if not all(isinstance(v, str) for v in values):
        notes.append(f"{where}: the allowed values {values!r} became text labels")
    labels: list[str] = []
    for value in values:
        label = value if isinstance(value, str) else json.dumps(value)
        if label and label not in labels:
            labels.append(label)
    if not labels:
        raise ImportRefused(f"{where}: no usable allowed value")
    return {"type": "enum", "values": labels}


# -- .py parser files, read with ast and never run -----------------------------------------------

_ALLOWED_IMPORTS = {
    "__future__": {"annotations"},
    "typing": {"Optional", "List", "Literal", "Any", "Union", "Dict"},
    "typing_extensions": {"Optional", "List", "Literal", "Any", "Union"},
    "pydantic": {"BaseModel", "Field"},
    "enum": {"Enum"},
}
_SCALARS = {"str": "string", "int": "int", "float": "float", "bool": "bool"}
_FIELD_ARGS = {"description", "default", "title", "examples", "ge", "le", "gt", "lt",
               "max_length"}


class _Refuse(Exception):
    def __init__(self, node: ast.AST | None, message: str):
        super().__init__(message)
        self.line = getattr(node, "lineno", None)
        self.message = message


def parse_parser_source(source: str, filename: str = "<parser>",
                        notes: list[str] | None = None) -> list[dict[str, Any]]:
    """The Pluk fields of the `OutputParser` model declared in a parser file's source text.

    The text is parsed, never compiled or run. Raises ImportRefused naming the line of the first
    construct that is not a plain declaration.
    """
    notes = notes if notes is not None else []
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise ImportRefused(f"{filename}, line {exc.lineno}: not valid Python ({exc.msg})") from None
    try:
        return _ParserReader(filename, notes).read(tree)
    except _Refuse as refusal:
        where = f"{filename}, line {refusal.line}" if refusal.line else filename
        raise ImportRefused(f"{where}: {refusal.message}; Pluk reads parser files as plain "
                            "declarations and never runs them") from None


class _ParserReader:
    def __init__(self, filename: str, notes: list[str]):
        self.filename = filename
        self.notes = notes
        self.imported: set[str] = set()
        self.models: dict[str, ast.ClassDef] = {}
        self.enums: dict[str, list[str]] = {}
        self._resolving: list[str] = []
        self._resolved: dict[str, list[dict[str, Any]]] = {}

    def read(self, tree: ast.Module) -> list[dict[str, Any]]:
        for index, node in enumerate(tree.body):
            if isinstance(node, ast.ImportFrom):
                self._import(node)
            elif isinstance(node, ast.Import):
                raise _Refuse(node, "'import module' is not allowed; use 'from typing import "
                                    "...' or 'from pydantic import BaseModel, Field'")
            elif isinstance(node, ast.ClassDef):
                self._declare(node)
            elif index == 0 and _is_docstring(node):
                continue
            else:
                raise _Refuse(node, f"{_describe(node)} at module level is not a declaration")
        if not self.models:
            raise _Refuse(None, "no pydantic model (a class deriving from BaseModel) found")
        if "OutputParser" in self.models:
            root = "OutputParser"
        else:
            used = {ref for cls in self.models.values() for ref in _referenced(cls)
                    if ref != cls.name}
            roots = [name for name in self.models if name not in used]
            if len(roots) != 1:
                raise _Refuse(None, "no class named OutputParser (llm_extractinator's output "
                                    "model), and no single top-level model to use instead")
            root = roots[0]
            self.notes.append(f"{self.filename}: no OutputParser class; used {root}")
        return self._fields_of(root)

    def _import(self, node: ast.ImportFrom) -> None:
        allowed = _ALLOWED_IMPORTS.get(node.module or "")
        if allowed is None or node.level:
            raise _Refuse(node, f"import from {node.module or '.'!s} is not allowed (only "
                                "typing, pydantic and enum)")
        for alias in node.names:
            if alias.name not in allowed:
                raise _Refuse(node, f"'{alias.name}' from {node.module} is not supported "
                                    f"(supported: {', '.join(sorted(allowed))})")
            if alias.asname and alias.asname != alias.name:
                raise _Refuse(node, "renamed imports ('as') are not supported")
            self.imported.add(alias.name)

    def _declare(self, node: ast.ClassDef) -> None:
        if node.decorator_list:
            raise _Refuse(node.decorator_list[0], f"class {node.name} has a decorator")
        if node.keywords:
            raise _Refuse(node, f"class {node.name} has class keywords")
        if node.name in self.models or node.name in self.enums:
            raise _Refuse(node, f"class {node.name} is defined twice")
        bases = [_dotted(b) for b in node.bases]
        if bases and all(b in ("Enum", "str") for b in bases) and "Enum" in bases:
            self._require_import(node, "Enum")
            self.enums[node.name] = self._enum_values(node)
            return
        if len(bases) != 1 or not (bases[0] in ("BaseModel", "pydantic.BaseModel")
                                   or bases[0] in self.models):
            raise _Refuse(node, f"class {node.name} must derive from BaseModel (or from a model "
                                "defined above it) only")
        if bases[0] == "BaseModel":
            self._require_import(node, "BaseModel")
        self.models[node.name] = node

    def _require_import(self, node: ast.AST, name: str) -> None:
        if name not in self.imported:
            raise _Refuse(node, f"'{name}' is used but not imported from typing/pydantic/enum")

    def _enum_values(self, node: ast.ClassDef) -> list[str]:
        values = []
        for index, item in enumerate(node.body):
            if index == 0 and _is_docstring(item):
                continue
            if (isinstance(item, ast.Assign) and len(item.targets) == 1
                    and isinstance(item.targets[0], ast.Name)
                    and isinstance(item.value, ast.Constant)
                    and isinstance(item.value.value, str)):
                values.append(item.value.value)
                continue
            raise _Refuse(item, f"enum {node.name} may only hold NAME = \"text\" members")
        if not values:
            raise _Refuse(node, f"enum {node.name} has no members")
        return values

    def _fields_of(self, name: str) -> list[dict[str, Any]]:
        if name in self._resolved:
            return self._resolved[name]
        if name in self._resolving:
            raise _Refuse(self.models[name], f"model {name} refers to itself; recursive models "
                                             "are not supported")
        self._resolving.append(name)
        node = self.models[name]
        base = _dotted(node.bases[0])
        fields = [dict(f) for f in self._fields_of(base)] if base in self.models else []
        for index, item in enumerate(node.body):
            if index == 0 and _is_docstring(item):
                continue
            if isinstance(item, ast.Pass):
                continue
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                raise _Refuse(item, f"method '{item.name}' in {name}: validators and other "
                                    "methods are code")
            if not isinstance(item, ast.AnnAssign) or not isinstance(item.target, ast.Name):
                raise _Refuse(item, f"{_describe(item)} in class {name} is not a field "
                                    "declaration ('name: type' or 'name: type = Field(...)')")
            field_name = item.target.id
            if not _NAME_RE.match(field_name) or len(field_name) > 64:
                raise _Refuse(item, f"field name {field_name!r} is not usable")
            field = self._field(item, f"{name}.{field_name}")
            field["name"] = field_name
            fields = [f for f in fields if f["name"] != field_name] + [field]
        if not fields:
            raise _Refuse(node, f"model {name} declares no fields")
        self._resolving.pop()
        self._resolved[name] = fields
        return fields

    def _field(self, item: ast.AnnAssign, where: str) -> dict[str, Any]:
        field = self._annotation(item.annotation, where)
        options: dict[str, Any] = {}
        if item.value is not None:
            options = self._value(item.value, where)
        if "description" in options:
            field["description"] = options["description"]
        examples = options.get("examples")
        if examples:
            shown = ", ".join(json.dumps(e, ensure_ascii=False) for e in examples)
            field["description"] = (field.get("description", "") + f" Examples: {shown}.").strip()
        if "default" in options and options["default"] is not None:
            self.notes.append(f"{where}: the default {options['default']!r} is not used (Pluk "
                              "asks the model for every field)")
        bounds = {"ge": "minimum", "gt": "minimum", "le": "maximum", "lt": "maximum"}
        for key, target in bounds.items():
            if key in options:
                if field["type"] not in ("int", "float"):
                    raise _Refuse(item, f"{where}: '{key}' only applies to numbers")
                field[target] = options[key]
                if key in ("gt", "lt"):
                    self.notes.append(f"{where}: '{key}' became an inclusive bound")
        if "max_length" in options:
            if field["type"] != "string":
                raise _Refuse(item, f"{where}: 'max_length' is only supported on text fields")
            field["max_length"] = options["max_length"]
        return field

    def _value(self, value: ast.expr, where: str) -> dict[str, Any]:
        if isinstance(value, ast.Constant):
            return {"default": value.value}
        if isinstance(value, ast.Call) and _dotted(value.func) == "Field":
            self._require_import(value, "Field")
            options: dict[str, Any] = {}
            if len(value.args) > 1:
                raise _Refuse(value, f"{where}: Field() takes at most one positional argument "
                                     "(the default)")
            if value.args:
                options["default"] = _constant(value.args[0], where)
            for keyword in value.keywords:
                if keyword.arg not in _FIELD_ARGS:
                    raise _Refuse(value, f"{where}: Field({keyword.arg or '**'}=...) is not "
                                         f"supported (supported: {', '.join(sorted(_FIELD_ARGS))})")
                options[keyword.arg] = _constant(keyword.value, where)
            if "title" in options and "description" not in options:
                options["description"] = options["title"]
            if "description" in options and not isinstance(options["description"], str):
                raise _Refuse(value, f"{where}: description must be text")
            return options
        raise _Refuse(value, f"{where}: the value must be a constant or Field(...) with constant "
                             "arguments, not code")

    def _annotation(self, node: ast.expr, where: str) -> dict[str, Any]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:  # a forward reference written as a string, e.g. "Lesion"
                inner = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                raise _Refuse(node, f"{where}: annotation {node.value!r} is not a type") from None
            ast.copy_location(inner, node)
            return self._annotation(inner, where)
        optional, node = self._strip_optional(node, where)
        field = self._plain_type(node, where)
        if optional:
            field["optional"] = True
        return field

    def _strip_optional(self, node: ast.expr, where: str) -> tuple[bool, ast.expr]:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            parts = [node.left, node.right]
            rest = [p for p in parts if not _is_none(p)]
            if len(rest) == 1 and len(parts) == 2:
                return True, rest[0]
            raise _Refuse(node, f"{where}: only 'X | None' unions are supported")
        if isinstance(node, ast.Subscript):
            head = _dotted(node.value)
            if head == "Optional":
                self._require_import(node, "Optional")
                return True, node.slice
            if head == "Union":
                self._require_import(node, "Union")
                parts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
                rest = [p for p in parts if not _is_none(p)]
                if len(rest) == 1 and len(parts) == 2:
                    return True, rest[0]
                raise _Refuse(node, f"{where}: only Union[X, None] is supported")
        return False, node

    def _plain_type(self, node: ast.expr, where: str) -> dict[str, Any]:
        name = _dotted(node)
        if name in _SCALARS:
            return {"type": _SCALARS[name]}
        if name == "Any":
            self._require_import(node, "Any")
            self.notes.append(f"{where}: type Any became a text field (Pluk fields are typed)")
            return {"type": "string"}
        if name in self.models:
            return {"type": "object", "fields": [dict(f) for f in self._fields_of(name)]}
        if name in self.enums:
            return {"type": "enum", "values": list(self.enums[name])}
        if name in ("dict", "Dict") or (isinstance(node, ast.Subscript)
                                        and _dotted(node.value) in ("dict", "Dict")):
            raise _Refuse(node, f"{where}: free-form dicts have no Pluk equivalent; declare the "
                                "keys as a nested BaseModel")
        if isinstance(node, ast.Subscript):
            head = _dotted(node.value)
            if head in ("List", "list"):
                if head == "List":
                    self._require_import(node, "List")
                item = self._annotation(node.slice, where + "[]")
                return {"type": "list", "items": item}
            if head == "Literal":
                self._require_import(node, "Literal")
                elts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
                values = [_constant(e, where) for e in elts]
                return _literal_field(values, where, self.notes)
            if head in ("Optional", "Union"):
                raise _Refuse(node, f"{where}: nested Optional/Union is not supported")
        if name in ("list", "List"):
            raise _Refuse(node, f"{where}: a list needs its item type, e.g. List[str]")
        shown = name or ast.unparse(node)
        raise _Refuse(node, f"{where}: type {shown!r} is not supported (supported: str, int, "
                            "float, bool, Any, Optional[...], List[...], Literal[...], enums and "
                            "models declared in this file)")


def _referenced(cls: ast.ClassDef) -> set[str]:
    """Names a class's annotations refer to, forward references in quotes included."""
    names = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", node.value))
    return names


def _is_docstring(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _constant(node: ast.expr, where: str) -> Any:
    """A literal value (numbers, text, booleans, None, and lists/tuples of them), never code."""
    if isinstance(node, ast.Constant) and not isinstance(node.value, (bytes, complex)):
        if node.value is Ellipsis:
            return None
        return node.value
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)):
        return -node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_constant(e, where) for e in node.elts]
    raise _Refuse(node, f"{where}: {_describe(node)} is not a constant")


def _describe(node: ast.AST) -> str:
    kinds = {
        ast.Expr: "an expression", ast.Assign: "an assignment", ast.AugAssign: "an assignment",
        ast.FunctionDef: "a function definition", ast.AsyncFunctionDef: "a function definition",
        ast.If: "an if statement", ast.For: "a loop", ast.While: "a loop", ast.With: "a with "
        "block", ast.Try: "a try block", ast.Call: "a function call", ast.Lambda: "a lambda",
        ast.Import: "an import", ast.Delete: "a del statement", ast.Global: "a global statement",
    }
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return "a function call"
    for kind, text in kinds.items():
        if isinstance(node, kind):
            return text
    return type(node).__name__
