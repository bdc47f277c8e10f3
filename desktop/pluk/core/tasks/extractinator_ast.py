"""llm_extractinator `.py` parser files, read with `ast` as declarations and never run.

Owns `parse_parser_source`: the file's text is parsed (never compiled or imported) and only plain
declarations are accepted: imports from typing/pydantic/enum, classes deriving from BaseModel
(or Enum, for allowed values) whose bodies are annotated fields with constant defaults or
`Field(...)` with constant arguments. Anything else is refused with its line number.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from pluk.core.tasks.extractinator_inline import FIELD_NAME_RE, ImportRefused, literal_field

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
    except (RecursionError, MemoryError):
        # CPython's parser gives up on an expression nested some thousand levels deep.
        raise ImportRefused(f"{filename}: nested too deep to read (Python's parser gave up); "
                            "a parser file declares fields, not deep expressions") from None
    try:
        return _ParserReader(filename, notes).read(tree)
    except RecursionError:
        raise ImportRefused(f"{filename}: its types are nested too deep to read") from None
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
            if not FIELD_NAME_RE.match(field_name) or len(field_name) > 64:
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
            except (SyntaxError, RecursionError, MemoryError):
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
                return literal_field(values, where, self.notes)
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
