"""The built-in tiny model: builds offline, reloads with Auto classes, deterministic, cached."""

import filecmp
import os

import pytest

from engine.workspace.errors import BadInput
from engine.train.models import build_tiny_model, resolve_base_model


def test_tiny_model_builds_reloads_and_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    a = resolve_base_model("builtin:tiny", tmp_path)
    assert a == str((tmp_path / "builtin-tiny").resolve())
    b = build_tiny_model(tmp_path / "other")
    for name in ("config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"):
        assert filecmp.cmp(os.path.join(a, name), b / name, shallow=False), name
    mtime = os.path.getmtime(os.path.join(a, "model.safetensors"))
    build_tiny_model(a)  # cached: nothing rewritten
    assert os.path.getmtime(os.path.join(a, "model.safetensors")) == mtime

    model = AutoModelForCausalLM.from_pretrained(a)
    tok = AutoTokenizer.from_pretrained(a)
    assert type(model).__name__ == "MistralForCausalLM"
    assert sum(p.numel() for p in model.parameters()) < 300_000
    assert tok.pad_token and tok.bos_token and tok.eos_token and tok.pad_token != tok.eos_token
    out = tok.apply_chat_template(
        [{"role": "user", "content": "How do I book leave?"}, {"role": "assistant", "content": "In the portal."}],
        return_dict=True, return_assistant_tokens_mask=True,
    )
    mask = out["assistant_masks"]
    answer = tok.decode([t for t, m in zip(out["input_ids"], mask) if m])
    assert answer.startswith("In the portal.") and "user" not in answer


def test_resolve_rejects_nonsense(tmp_path):
    with pytest.raises(BadInput):
        resolve_base_model("builtin:huge", tmp_path)
    with pytest.raises(BadInput):
        resolve_base_model("", tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput):
        resolve_base_model(str(tmp_path / "empty"), tmp_path)
    assert resolve_base_model("mistralai/Mistral-7B-v0.1", tmp_path) == "mistralai/Mistral-7B-v0.1"


# HR/IT pairs in the style of a real helpdesk export, none of them in the tiny model's own corpus.
PAIRS = [
    ("When is the payslip available each month?", "Thanks for your question. Payslips appear in the HR portal on the 25th; if the 25th is a weekend, the Friday before."),
    ("How many days of bereavement leave do I get?", "Thanks for your question. You get 5 paid days of bereavement leave for close family, 2 days for others."),
    ("My laptop battery dies after an hour.", "Thanks for reaching out. Bring the laptop to the IT desk on floor 2; we swap batteries the same day."),
    ("Can I carry unused holiday into next year?", "Thanks for your question. You can carry over up to 5 days; they must be used before the end of March."),
    ("How do I add my partner to the health plan?", "Thanks for your question. Add your partner in the benefits portal within 30 days of the change, with proof of address."),
    ("The Wi-Fi in meeting room B keeps dropping.", "Thanks for reaching out. We replaced the access point in room B this morning; please tell us if it happens again."),
    ("Who do I tell about a change of address?", "Thanks for your question. Update your address in the HR portal under Personal Details; payroll picks it up automatically."),
    ("How do I get access to the finance shared drive?", "Thanks for reaching out. Your manager requests access in the IT portal; it is granted within one working day."),
    ("Is there a cycle-to-work scheme?", "Thanks for your question. Yes: you can lease a bike through payroll and save on tax; apply in the benefits portal."),
    ("My Outlook calendar does not sync with my phone.", "Thanks for reaching out. Remove the work account from your phone, add it again and allow calendar access."),
    ("What happens to my pension if I go part-time?", "Thanks for your question. You stay in the pension plan; contributions are based on your new, pro rata salary."),
    ("How do I report a lost badge?", "Thanks for reaching out. Report it to reception straight away; they block the old badge and print a new one."),
    ("Can I buy extra holiday days?", "Thanks for your question. You can buy up to 5 extra days a year during the benefits window in November."),
    ("The printer on floor 3 says paper jam but there is none.", "Thanks for reaching out. Open tray 2 and the back panel, remove any torn paper, then switch the printer off and on."),
    ("How long is the notice period when I resign?", "Thanks for your question. The notice period is one month, or three months for managers; it is in your contract."),
    ("I need a second monitor for working from home.", "Thanks for reaching out. Order one in the IT shop under Home Office; it is delivered to your home within a week."),
]
HELD_OUT = [
    ("How do I claim back a train ticket?", "Thanks for your question. Claim it in the expenses portal with the receipt, within 30 days of the trip."),
    ("My password expired while I was on leave.", "Thanks for reaching out. Call the IT desk; we verify who you are and send you a temporary password."),
    ("Do we get a day off for moving house?", "Thanks for your question. Yes, you get one paid day off when you move house, once a year."),
    ("The VPN says my certificate is invalid.", "Thanks for reaching out. Restart the laptop while connected to the office network so the certificate renews."),
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return str(build_tiny_model(tmp_path_factory.mktemp("tiny") / "builtin-tiny"))


def _batch(tok, pairs, max_length):
    """Right-padded chat-rendered pairs with labels on the answer tokens only."""
    import torch

    rows = []
    for q, a in pairs:
        out = tok.apply_chat_template([{"role": "user", "content": q}, {"role": "assistant", "content": a}],
                                      return_dict=True, return_assistant_tokens_mask=True)
        ids, mask = out["input_ids"][:max_length], out["assistant_masks"][:max_length]
        rows.append((ids, [t if m else -100 for t, m in zip(ids, mask)]))
    width = max(len(ids) for ids, _ in rows)
    pad = lambda xs, v: xs + [v] * (width - len(xs))  # noqa: E731
    return {
        "input_ids": torch.tensor([pad(ids, tok.pad_token_id) for ids, _ in rows]),
        "attention_mask": torch.tensor([pad([1] * len(ids), 0) for ids, _ in rows]),
        "labels": torch.tensor([pad(labels, -100) for _, labels in rows]),
    }


def test_the_tiny_base_is_a_language_model_not_a_uniform_guess(tiny):
    """A random-init tiny model predicts ~ln(vocab) everywhere (entropy 6.22): nothing for LoRA to
    build on. The pre-trained base is confident on its own dialogues and far from uniform on new text."""
    import math

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from engine.train.models import _dialogues

    tok = AutoTokenizer.from_pretrained(tiny)
    model = AutoModelForCausalLM.from_pretrained(tiny).eval()
    uniform = math.log(len(tok))
    with torch.no_grad():
        own = tok.apply_chat_template(_dialogues()[3], return_tensors="pt", return_dict=True)
        assert model(**own, labels=own["input_ids"]).loss.item() < 0.5 * uniform
        new = _batch(tok, HELD_OUT, 128)
        logits = model(input_ids=new["input_ids"], attention_mask=new["attention_mask"]).logits
        entropy = -(logits.log_softmax(-1) * logits.softmax(-1)).sum(-1)[new["attention_mask"].bool()].mean().item()
    assert entropy < 0.9 * uniform, (entropy, uniform)


def test_cpu_smoke_lora_lowers_the_loss_on_a_small_dataset(tiny):
    """The cpu-smoke LoRA settings on the tiny base, answer-only loss, 16 HR pairs: the training loss
    falls by well over the loss guard's threshold, the held-out loss falls too, and no guard fires."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from engine.train import guards
    from engine.train.spec import resolve_config

    cfg = resolve_config("cpu-smoke")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(cfg["seed"])
        tok = AutoTokenizer.from_pretrained(tiny)
        model = AutoModelForCausalLM.from_pretrained(tiny, dtype=torch.float32)
        model = get_peft_model(model, LoraConfig(r=cfg["lora_r"], lora_alpha=cfg["lora_alpha"],
                                                 lora_dropout=cfg["lora_dropout"], task_type="CAUSAL_LM",
                                                 target_modules=cfg["target_modules"]))
        held_out = _batch(tok, HELD_OUT, cfg["max_length"])
        with torch.no_grad():
            before = model(**held_out).loss.item()
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                                      lr=cfg["learning_rate"], weight_decay=cfg["weight_decay"])
        order = torch.Generator().manual_seed(0)
        size, losses = cfg["per_device_train_batch_size"], []
        model.train()
        for _ in range(cfg["max_steps"]):
            idx = torch.randperm(len(PAIRS), generator=order)[:size].tolist()
            loss = model(**_batch(tok, [PAIRS[i] for i in idx], cfg["max_length"])).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["max_grad_norm"])
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            after = model(**held_out).loss.item()
    finally:
        torch.set_num_threads(threads)
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.85 * first, losses
    assert after < before, (before, after)
    check = guards.check_step(cfg["loss_check_step"], cfg["max_steps"])
    assert not guards.loss_not_falling(losses[:check]) and not guards.loss_oscillating(losses)
