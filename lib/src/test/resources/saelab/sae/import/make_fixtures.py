"""Writes the test fixtures of saelab's SAE importers (saelab.sae.SaeImport) with real PyTorch.

Needs torch (run with torch 1.13 (1.13.0a0) on Python 3.11.2; any torch >= 1.6, whose torch.save writes a zip
archive, gives equivalent files). No other package is needed: the SAELens safetensors files are
written by hand (8-byte little-endian header length, JSON header, raw little-endian data), and
the saev JSON lines are written the way saev writes them (json.dumps in the paper era, compact
orjson-style JSON in the current era).

Run from anywhere:  python3 make_fixtures.py   (a Python whose torch imports, e.g. /usr/bin/python3)
It (re)writes, next to itself:
  saev-paper-relu.pt     paper-era saev sae.pt: config {d_vit 4, exp_factor 2, sparsity_coeff, ...},
                         state dict W_enc [4, 8], b_enc [8], W_dec [8, 4], b_dec [4] (OrderedDict,
                         as nn.Module.state_dict() returns it, with its _metadata attribute)
  saev-topk.pt           current-era (schema 5) saev sae.pt, TopK activation, top_k 2
  saev-batchtopk.pt      current-era saev sae.pt, BatchTopK activation, top_k 2, and the scalar
                         buffer activation.threshold = 0.25
  saev-strided.pt        current-era ReLU sae.pt whose tensors are views saved as they are:
                         W_enc is W_dec.t() (shared storage, strides (1, 4), storage offset 4, as
                         in saev versions before W_enc was cloned), b_enc a stride-2 slice, b_dec
                         a slice at storage offset 1
  saelens-standard/      SAELens folder (pre-6.0 cfg.json, architecture standard, relu,
                         apply_b_dec_to_input true) with the tensors of saev-paper-relu.pt
  saelens-topk/          SAELens folder (6.x cfg.json, architecture topk, k 2,
                         apply_b_dec_to_input false) with the tensors of saev-topk.pt
  saelens-jumprelu/      SAELens folder (6.x cfg.json, architecture jumprelu) with the tensors of
                         saev-paper-relu.pt and a per-latent threshold [8]
  expected.json          input rows x [3, 4] and, per fixture, the codes and reconstructions
                         computed here with torch by each tool's own formulas
"""

import collections
import json
import pathlib
import struct

import torch

HERE = pathlib.Path(__file__).resolve().parent
D, F = 4, 8


def f32(t):
    return torch.as_tensor(t, dtype=torch.float32)


def write_saev(path, header_bytes, state_dict):
    """As saev's dump(): the JSON line, a newline, then torch.save into the same open file."""
    with open(path, "wb") as fd:
        fd.write(header_bytes + b"\n")
        torch.save(state_dict, fd)


def module_state_dict(pairs):
    """An OrderedDict with the _metadata attribute nn.Module.state_dict() attaches."""
    sd = collections.OrderedDict(pairs)
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd


def compact(obj):
    """orjson.dumps output: no spaces, UTF-8."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write_safetensors(path, tensors):
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as fd:
        fd.write(struct.pack("<Q", len(hb)))
        fd.write(hb)
        for b in blobs:
            fd.write(b)


def write_saelens(folder, cfg, tensors):
    folder.mkdir(exist_ok=True)
    with open(folder / "cfg.json", "w") as f:
        json.dump(cfg, f)  # as SAELens' save_model
    write_safetensors(folder / "sae_weights.safetensors", tensors)


def current_header(d_model, d_sae, activation):
    return {
        "schema": 5,
        "cfg": {
            "d_model": d_model,
            "d_sae": d_sae,
            "activation": activation,
            "reinit_blend": 0.8,
            "reinit_enc_dec_tranpose": True,
            "remove_parallel_grads": True,
            "normalize_w_dec": True,
        },
        "commit": "0000000000000000000000000000000000000000",
        "lib": "1.2.0",
    }


def aux_k():
    return {"cls": "AuxK", "params": {"key": "auxk", "k_aux": 512, "alpha": 0.03125}}


def no_sparsity():
    return {"cls": "NoSparsity", "params": {"key": "no-sparsity"}}


# ---- tensors ---------------------------------------------------------------------------------
paper = {
    "W_enc": (torch.arange(32, dtype=torch.float32).reshape(D, F) - 12) / 10,
    "b_enc": (torch.arange(F, dtype=torch.float32) - 4) / 8,
    "W_dec": ((torch.arange(32, dtype=torch.float32).reshape(F, D) % 7) - 3) / 4,
    "b_dec": f32([0.5, -0.25, 0.125, 1.0]),
}
current = {
    "W_enc": torch.sin(torch.arange(32, dtype=torch.float32)).reshape(D, F),
    "b_enc": torch.linspace(-0.2, 0.2, F, dtype=torch.float32),
    "W_dec": torch.cos(torch.arange(32, dtype=torch.float32)).reshape(F, D) / 2,
    "b_dec": f32([0.1, 0.2, -0.3, 0.4]),
}
storage_a = torch.arange(40, dtype=torch.float32) / 8 - 2
strided_w_dec = storage_a[4:36].view(F, D)
strided = {
    "W_dec": strided_w_dec,
    "b_dec": f32([9.0, 0.5, -0.5, 0.25, -0.25])[1:5],
    "W_enc": strided_w_dec.t(),
    "b_enc": (torch.arange(16, dtype=torch.float32) / 10 - 0.4)[::2],
}
assert not strided["W_enc"].is_contiguous() and strided["W_enc"].stride() == (1, 4)
assert strided["W_enc"].storage_offset() == 4 and strided["b_enc"].stride() == (2,)
assert strided["b_dec"].storage_offset() == 1

# ---- saev ------------------------------------------------------------------------------------
paper_cfg = {
    "d_vit": D,
    "exp_factor": F // D,
    "sparsity_coeff": 0.0004,
    "n_reinit_samples": 524288,
    "ghost_grads": False,
    "remove_parallel_grads": True,
    "normalize_w_dec": True,
    "seed": 0,
}
# paper era: json.dumps(vars(cfg)); state dict in module order W_enc, b_enc, W_dec, b_dec
write_saev(HERE / "saev-paper-relu.pt", json.dumps(paper_cfg).encode("utf-8"),
           module_state_dict([(k, paper[k]) for k in ("W_enc", "b_enc", "W_dec", "b_dec")]))

order = ("W_dec", "b_dec", "W_enc", "b_enc")  # current saev registers W_dec first
topk_act = {"cls": "TopK", "params": {"key": "top-k", "top_k": 2, "sparsity": no_sparsity(), "aux": aux_k()}}
write_saev(HERE / "saev-topk.pt", compact(current_header(D, F, topk_act)),
           module_state_dict([(k, current[k]) for k in order]))

btk_act = {"cls": "BatchTopK",
           "params": {"key": "batch-top-k", "top_k": 2, "sparsity": no_sparsity(), "momentum": 0.1, "aux": aux_k()}}
btk_threshold = torch.tensor(0.25)
write_saev(HERE / "saev-batchtopk.pt", compact(current_header(D, F, btk_act)),
           module_state_dict([(k, current[k]) for k in order] + [("activation.threshold", btk_threshold)]))

relu_act = {"cls": "Relu", "params": {"key": "relu", "sparsity": {"cls": "L1Sparsity",
            "params": {"key": "l1-sparsity", "coeff": 0.0004}}, "aux": {"cls": "NoAux", "params": {"key": "no-aux"}}}}
write_saev(HERE / "saev-strided.pt", compact(current_header(D, F, relu_act)),
           module_state_dict([(k, strided[k]) for k in order]))

# ---- SAELens ---------------------------------------------------------------------------------
write_saelens(HERE / "saelens-standard", {
    "architecture": "standard", "d_in": D, "d_sae": F, "activation_fn_str": "relu",
    "apply_b_dec_to_input": True, "finetuning_scaling_factor": False, "context_size": 197,
    "model_name": "ViT-B-16", "hook_name": "blocks.10.hook_resid_post", "hook_layer": 10,
    "hook_head_index": None, "prepend_bos": False, "dataset_path": "imagenet-1k",
    "dataset_trust_remote_code": False, "normalize_activations": "none", "dtype": "float32",
    "device": "cpu", "sae_lens_training_version": "3.22.0", "activation_fn_kwargs": {},
    "neuronpedia_id": None, "model_from_pretrained_kwargs": {}, "seqpos_slice": [None],
}, paper)

v6_metadata = {"sae_lens_version": "6.5.1", "sae_lens_training_version": "6.5.1",
               "model_name": "ViT-B-16", "hook_name": "blocks.10.hook_resid_post"}
write_saelens(HERE / "saelens-topk", {
    "d_in": D, "d_sae": F, "dtype": "float32", "device": "cpu", "apply_b_dec_to_input": False,
    "normalize_activations": "none", "reshape_activations": "none", "metadata": v6_metadata,
    "k": 2, "rescale_acts_by_decoder_norm": False, "architecture": "topk",
}, current)

jump_threshold = (torch.arange(F, dtype=torch.float32) + 1) / 16
write_saelens(HERE / "saelens-jumprelu", {
    "d_in": D, "d_sae": F, "dtype": "float32", "device": "cpu", "apply_b_dec_to_input": True,
    "normalize_activations": "none", "reshape_activations": "none", "metadata": v6_metadata,
    "architecture": "jumprelu",
}, dict(paper, threshold=jump_threshold))

# ---- expected outputs, by each tool's formulas -----------------------------------------------
x = f32([[1.0, -0.5, 2.0, 0.25], [-1.5, 0.75, 0.5, 1.0], [0.3, 0.2, -0.1, -2.0]])


def decode(f, t):
    return f @ t["W_dec"] + t["b_dec"]


def saev_topk(h, k):  # saev's TopKActivation: top k of the pre-activations, no ReLU
    _, i = torch.topk(h, k, dim=-1)
    return torch.zeros_like(h).scatter(-1, i, 1.0) * h


expected = {"x": x.tolist()}
h = (x - paper["b_dec"]) @ paper["W_enc"] + paper["b_enc"]
expected["saev-paper-relu.pt"] = {"codes": torch.relu(h).tolist(), "recon": decode(torch.relu(h), paper).tolist()}
h = x @ current["W_enc"] + current["b_enc"]
f = saev_topk(h, 2)
expected["saev-topk.pt"] = {"codes": f.tolist(), "recon": decode(f, current).tolist()}
f = torch.where(h > btk_threshold, h, torch.zeros_like(h))
expected["saev-batchtopk.pt"] = {"codes": f.tolist(), "recon": decode(f, current).tolist()}
h = x @ strided["W_enc"] + strided["b_enc"]
expected["saev-strided.pt"] = {"codes": torch.relu(h).tolist(), "recon": decode(torch.relu(h), strided).tolist()}
h = (x - paper["b_dec"]) @ paper["W_enc"] + paper["b_enc"]
f = torch.relu(h) * (h > jump_threshold)
expected["saelens-jumprelu"] = {"codes": f.tolist(), "recon": decode(f, paper).tolist()}
with open(HERE / "expected.json", "w") as fd:
    json.dump(expected, fd, indent=1)
print("wrote fixtures to", HERE)
