"""Builds random-weight llama-architecture GGUF files: the test, benchmark and self-test models.

No model weights can be downloaded where Pluk is developed and tested, and llama.cpp runs a
model with random weights as happily as a trained one. With a grammar every answer still
validates and with temperature 0 it is deterministic, so tests assert structure, never content.
The tokenizer is either a small one of our own (a few hundred tokens: characters plus byte
fallback, so any text tokenizes) or copied from a vocabulary-only GGUF (../shared/vocab/), which
makes token counts and grammar cost those of the real model family.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
from pydantic import BaseModel

CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# Token types of llama.cpp's vocabulary (gguf.TokenType).
_NORMAL, _UNKNOWN, _CONTROL, _BYTE = 1, 2, 3, 6


class ModelShape(BaseModel):
    n_embd: int = 64
    n_layer: int = 2
    n_head: int = 4
    n_head_kv: int = 4
    n_ff: int = 128
    context_length: int = 4096
    quantization: str = "F32"  # F32, F16 or Q4_0 (the weight matrices; norms stay F32)
    seed: int = 1234


# A thinking model's template: ChatML whose assistant turn opens the think block, as
# DeepSeek-R1 distills do (build with special_tokens=THINK_TOKENS).
THINK_TEMPLATE = CHATML_TEMPLATE.replace("<|im_start|>assistant\n{% endif %}",
                                         "<|im_start|>assistant\n<think>\n{% endif %}")
THINK_TOKENS = ("<think>", "</think>")


def _own_vocab(special: tuple[str, ...] = ()) -> tuple[list[str], list[float], list[int]]:
    tokens = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", *special]
    types = [_UNKNOWN, _CONTROL, _CONTROL, _CONTROL, _CONTROL] + [_CONTROL] * len(special)
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [_BYTE] * 256
    # Single characters: ASCII printables (space is SentencePiece's U+2581) and the accented
    # letters of Dutch; anything else falls back to byte tokens.
    chars = [c for c in string.printable if c not in " \t\n\r\x0b\x0c"] + ["\u2581"]
    chars += list("éëïöüèàçáíóúâêîôûÉËÏÖÜ±°µ²³")
    tokens += chars
    types += [_NORMAL] * len(chars)
    scores = [0.0] * len(tokens)
    return tokens, scores, types


def _copy_vocab(writer, vocab_path: Path) -> dict[str, int]:
    """Copy every tokenizer.* key of a vocabulary-only GGUF; return special token ids."""
    from gguf import GGUFReader, GGUFValueType

    reader = GGUFReader(str(vocab_path), "r")
    ids: dict[str, int] = {}
    for key, field in reader.fields.items():
        if not key.startswith("tokenizer."):
            continue
        if key == "tokenizer.chat_template":
            continue  # ours is set below, so the template always matches the special tokens
        main = field.types[0]
        if main == GGUFValueType.ARRAY:
            writer.add_array(key, field.contents())
        elif main == GGUFValueType.STRING:
            writer.add_string(key, field.contents())
        elif main == GGUFValueType.BOOL:
            writer.add_bool(key, bool(field.contents()))
        else:
            writer.add_uint32(key, int(field.contents()))
            if key.endswith("_token_id"):
                ids[key] = int(field.contents())
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    ids["n_vocab"] = len(tokens)
    ids["has_chatml"] = int("<|im_start|>" in tokens and "<|im_end|>" in tokens)
    if ids["has_chatml"]:
        ids["tokenizer.ggml.eos_token_id"] = tokens.index("<|im_end|>")
    return ids


def build_random_gguf(
    path: str | Path, shape: ModelShape | None = None, vocab_path: str | Path | None = None,
    chat_template: str = CHATML_TEMPLATE, special_tokens: tuple[str, ...] = (),
) -> Path:
    """Write a runnable random-weight GGUF to `path` and return it. `special_tokens` are
    control tokens added to our own vocabulary (THINK_TOKENS for a thinking model)."""
    from gguf import GGMLQuantizationType, GGUFWriter, LlamaFileType
    from gguf.quants import quantize

    shape = shape or ModelShape()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(shape.seed)
    writer = GGUFWriter(str(path), "llama")
    file_type = {"F32": LlamaFileType.ALL_F32, "F16": LlamaFileType.MOSTLY_F16,
                 "Q4_0": LlamaFileType.MOSTLY_Q4_0}[shape.quantization]
    writer.add_name("pluk-random-test-model")
    writer.add_file_type(int(file_type))
    writer.add_context_length(shape.context_length)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_head_kv)
    writer.add_rope_dimension_count(shape.n_embd // shape.n_head)
    writer.add_layer_norm_rms_eps(1e-5)

    if vocab_path is None:
        tokens, scores, types = _own_vocab(special_tokens)
        writer.add_tokenizer_model("llama")
        writer.add_token_list(tokens)
        writer.add_token_scores(scores)
        writer.add_token_types(types)
        writer.add_bos_token_id(1)
        writer.add_eos_token_id(tokens.index("<|im_end|>"))
        writer.add_unk_token_id(0)
        writer.add_add_bos_token(False)
        n_vocab = len(tokens)
    else:
        ids = _copy_vocab(writer, Path(vocab_path))
        if not ids["has_chatml"]:
            raise ValueError(f"{vocab_path} has no <|im_start|>/<|im_end|> tokens for ChatML")
        n_vocab = ids["n_vocab"]
    writer.add_chat_template(chat_template)

    weight_type = {"F32": None, "F16": np.float16, "Q4_0": GGMLQuantizationType.Q4_0}[
        shape.quantization]

    def matrix(name: str, rows: int, cols: int) -> None:
        data = rng.normal(0.0, 0.02, size=(rows, cols)).astype(np.float32)
        if weight_type is None:
            writer.add_tensor(name, data)
        elif weight_type is np.float16:
            writer.add_tensor(name, data.astype(np.float16))
        else:
            writer.add_tensor(name, quantize(data, weight_type), raw_dtype=weight_type)

    def norm(name: str) -> None:
        writer.add_tensor(name, np.ones(shape.n_embd, dtype=np.float32))

    head_dim = shape.n_embd // shape.n_head
    matrix("token_embd.weight", n_vocab, shape.n_embd)
    for i in range(shape.n_layer):
        norm(f"blk.{i}.attn_norm.weight")
        matrix(f"blk.{i}.attn_q.weight", shape.n_embd, shape.n_embd)
        matrix(f"blk.{i}.attn_k.weight", shape.n_head_kv * head_dim, shape.n_embd)
        matrix(f"blk.{i}.attn_v.weight", shape.n_head_kv * head_dim, shape.n_embd)
        matrix(f"blk.{i}.attn_output.weight", shape.n_embd, shape.n_embd)
        norm(f"blk.{i}.ffn_norm.weight")
        matrix(f"blk.{i}.ffn_gate.weight", shape.n_ff, shape.n_embd)
        matrix(f"blk.{i}.ffn_up.weight", shape.n_ff, shape.n_embd)
        matrix(f"blk.{i}.ffn_down.weight", shape.n_embd, shape.n_ff)
    norm("output_norm.weight")
    matrix("output.weight", n_vocab, shape.n_embd)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
