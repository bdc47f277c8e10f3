"""Every llama.cpp function, constant and struct field the engine uses exists in the pinned
llama-cpp-python with the signature the engine was written for (issue 24, item 4): an upgrade
that renames, drops or retypes one fails here, not in a user's run. The engine's calls are all
in engine/native.py (read here with `ast`); the load probe and the engine loader (core/models)
have their own few and are exercised by their own tests."""

from __future__ import annotations

import ast
import ctypes
from ctypes import POINTER, c_bool, c_char_p, c_float, c_int, c_size_t, c_uint, c_void_p
from pathlib import Path

import llama_cpp

import pluk.core.engine as engine
from pluk.core.engine import native

NATIVE = Path(native.__file__)
CALLBACK = "callback"  # a ctypes function-pointer type (the log and abort callbacks)
EXPECTED = {
    "llama_backend_init": ((), None),
    "llama_batch_free": ((llama_cpp.llama_batch,), None),
    "llama_batch_init": ((c_int, c_int, c_int), llama_cpp.llama_batch),
    "llama_context_default_params": ((), llama_cpp.llama_context_params),
    "llama_decode": ((c_void_p, llama_cpp.llama_batch), c_int),
    "llama_detokenize": ((c_void_p, POINTER(c_int), c_int, c_char_p, c_int, c_bool, c_bool),
                         c_int),
    "llama_free": ((c_void_p,), None),
    "llama_get_logits": ((c_void_p,), POINTER(c_float)),
    "llama_get_logits_ith": ((c_void_p, c_int), POINTER(c_float)),
    "llama_get_memory": ((c_void_p,), c_void_p),
    "llama_init_from_model": ((c_void_p, llama_cpp.llama_context_params), c_void_p),
    "llama_log_set": ((CALLBACK, c_void_p), None),
    "llama_memory_seq_cp": ((c_void_p, c_int, c_int, c_int, c_int), None),
    "llama_memory_seq_pos_max": ((c_void_p, c_int), c_int),
    "llama_memory_seq_rm": ((c_void_p, c_int, c_int, c_int), c_bool),
    "llama_model_default_params": ((), llama_cpp.llama_model_params),
    "llama_model_free": ((c_void_p,), None),
    "llama_model_get_vocab": ((c_void_p,), c_void_p),
    "llama_model_load_from_file": ((c_char_p, llama_cpp.llama_model_params), c_void_p),
    "llama_model_meta_count": ((c_void_p,), c_int),
    "llama_model_meta_key_by_index": ((c_void_p, c_int, c_char_p, c_size_t), c_int),
    "llama_model_meta_val_str_by_index": ((c_void_p, c_int, c_char_p, c_size_t), c_int),
    "llama_n_ctx": ((c_void_p,), c_uint),
    "llama_n_ctx_seq": ((c_void_p,), c_uint),
    "llama_print_system_info": ((), c_char_p),
    "llama_set_abort_callback": ((c_void_p, CALLBACK, c_void_p), None),
    "llama_set_n_threads": ((c_void_p, c_int, c_int), None),
    "llama_token_to_piece": ((c_void_p, c_int, c_char_p, c_int, c_int, c_bool), c_int),
    "llama_tokenize": ((c_void_p, c_char_p, c_int, POINTER(c_int), c_int, c_bool, c_bool),
                       c_int),
    "llama_vocab_bos": ((c_void_p,), c_int),
    "llama_vocab_eos": ((c_void_p,), c_int),
    "llama_vocab_get_add_bos": ((c_void_p,), c_bool),
    "llama_vocab_get_attr": ((c_void_p, c_int), c_int),
    "llama_vocab_is_eog": ((c_void_p, c_int), c_bool),
    "llama_vocab_n_tokens": ((c_void_p,), c_int),
    "llama_cpp.llama_version": ((), c_char_p),
}
OTHER = {"LLAMA_FLASH_ATTN_TYPE_DISABLED", "LLAMA_FLASH_ATTN_TYPE_ENABLED",
         "LLAMA_TOKEN_ATTR_CONTROL", "LLAMA_TOKEN_ATTR_UNKNOWN", "LLAMA_TOKEN_ATTR_USER_DEFINED",
         "ggml_abort_callback", "llama_log_callback", "llama_token", "__file__", "__version__"}


def _used() -> set[str]:
    used = set()
    for node in ast.walk(ast.parse(NATIVE.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Attribute):
            continue
        if isinstance(node.value, ast.Name) and node.value.id == "llama_cpp":
            used.add(node.attr)
        elif (isinstance(node.value, ast.Attribute) and node.value.attr == "llama_cpp"
              and isinstance(node.value.value, ast.Name) and node.value.value.id == "llama_cpp"):
            used.add(f"llama_cpp.{node.attr}")
    return used - {"llama_cpp"}


def _same(actual, expected) -> bool:
    if expected == CALLBACK:
        return isinstance(actual, type) and issubclass(actual, ctypes._CFuncPtr)
    return actual is expected


def test_every_function_the_engine_calls_has_its_signature():
    used = _used()
    assert used <= set(EXPECTED) | OTHER, sorted(used - set(EXPECTED) - OTHER)
    for name in sorted(used & set(EXPECTED)):
        owner = llama_cpp.llama_cpp if name.startswith("llama_cpp.") else llama_cpp
        function = getattr(owner, name.split(".")[-1])
        args, result = EXPECTED[name]
        assert len(function.argtypes) == len(args), name
        for actual, expected in zip(function.argtypes, args):
            assert _same(actual, expected), (name, actual, expected)
        assert function.restype is result or (result is None and function.restype is None), name
    for name in used & OTHER:
        assert hasattr(llama_cpp, name), name


def test_every_struct_field_the_engine_sets_exists():
    tree = ast.parse(NATIVE.read_text(encoding="utf-8"))
    structs = {"params": {f for f, *_ in llama_cpp.llama_context_params._fields_}
               | {f for f, *_ in llama_cpp.llama_model_params._fields_},
               "raw": {f for f, *_ in llama_cpp.llama_batch._fields_}}
    seen = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id in structs:
            assert node.attr in structs[node.value.id], node.attr
            seen += 1
    assert seen >= 15
    assert {"kv_unified", "swa_full", "n_outputs_max_per_seq", "flash_attn_type"} <= \
        {f for f, *_ in llama_cpp.llama_context_params._fields_}


def test_no_other_engine_module_calls_llama_cpp():
    for path in Path(engine.__file__).parent.glob("*.py"):
        if path == NATIVE:
            continue
        assert "llama_cpp" not in path.read_text(encoding="utf-8").replace(
            "llama_cpp_version", ""), path.name
