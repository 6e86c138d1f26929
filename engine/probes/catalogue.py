"""The catalogue of probes: names, argument specs and where each function lives.

Only data here: the functions are imported when a probe runs, so listing
probes (the validator does) never imports torch.
"""
from engine.probes.registry import SEED_RANGE, Arg, Probe, register
from engine.texts import N_


def seed_arg(help: str = N_("random seed")) -> Arg:
    """The one seed argument: every probe takes the same range."""
    return Arg("seed", "int", help, default=0, min=SEED_RANGE[0], max=SEED_RANGE[1])


register(Probe(
    name="softmax",
    summary=N_("Softmax of a list of scores at a temperature: the probabilities they turn into."),
    function="engine.probes.rl:softmax_probe",
    args=(
        Arg("scores", "floats", N_("the scores (logits), comma-separated on the command line"), min=-1e6, max=1e6),
        Arg("temperature", "float", N_("divides the scores before the softmax; lower is sharper"), default=1.0, min=1e-6,
            max=1e6),
    ),
))

# --- the small transformer (tokenizer, embeddings, positions, attention, policy) ---

CHECKPOINTS = ("pretrain", "sft", "rlhf")
MODELS = ("char", "word")  # engine.transformer.variants.MODELS (not imported: listing probes stays cheap)


def model_arg() -> Arg:
    return Arg("model", "str", N_("which model: char (one token per character) or word (byte-level BPE sub-words)"),
               default="char", choices=MODELS)


register(Probe(
    name="tokenize",
    summary=N_("Split a text into tokens and ids with a model's tokenizer (characters or byte-level BPE), or the char BPE."),
    function="engine.probes.transformer:tokenize",
    args=(
        Arg("text", "str", N_("the text to tokenize")),
        Arg("tokenizer", "str", N_("the model's own, or the char model's characters or its 256-merge BPE"),
            default="model", choices=("model", "char", "bpe")),
        model_arg(),
    ),
))
register(Probe(
    name="embedding",
    summary=N_("Each token's embedding vector and its nearest tokens by cosine similarity."),
    function="engine.probes.transformer:embedding",
    args=(
        Arg("text", "str", N_("the text whose tokens to look up")),
        Arg("top_k", "int", N_("how many nearest tokens to list per token"), default=5, min=1, max=50),
        model_arg(),
    ),
))
register(Probe(
    name="positional_encoding",
    summary=N_("The sinusoidal positional encoding matrix and the dot-product similarity between positions."),
    function="engine.probes.transformer:positional_encoding_probe",
    args=(
        Arg("length", "int", N_("number of positions"), default=16, min=1, max=512),
        Arg("d_model", "int", N_("width of each encoding (even)"), default=16, min=2, max=512),
    ),
))
register(Probe(
    name="attention",
    summary=N_("q, k, every q·k, the √d_k scaling, the causal mask and the softmax weights of one head."),
    function="engine.probes.transformer:attention",
    args=(
        Arg("text", "str", N_("the sentence to run through the model")),
        Arg("layer", "int", N_("layer index, from 0 (below the model's layer count)"), default=0, min=0, max=63),
        Arg("head", "int", N_("head index, from 0 (below the model's head count)"), default=0, min=0, max=63),
        Arg("checkpoint", "str", N_("which trained model"), default="pretrain", choices=CHECKPOINTS),
        model_arg(),
        Arg("query", "str", N_("the query token: its index, or a word of the text (its first token)"), default=None),
        Arg("view", "str", N_("tokens, or words: the weights gathered to words (mean over the query word's tokens, "
            "sum over the key word's tokens)"), default="tokens", choices=("tokens", "words")),
    ),
))
register(Probe(
    name="next_token",
    summary=N_("π_θ(·|s): the model's most likely next tokens after a text, with their probabilities."),
    function="engine.probes.transformer:next_token",
    args=(
        Arg("text", "str", N_("the context s")),
        Arg("top_k", "int", N_("how many tokens to list"), default=10, min=1, max=200),
        Arg("temperature", "float", N_("divides the logits before the softmax"), default=1.0, min=1e-3, max=100),
        Arg("checkpoint", "str", N_("which trained model is the policy"), default="pretrain", choices=CHECKPOINTS),
        model_arg(),
    ),
))

# --- PPO and RLHF ---

register(Probe(
    name="ppo_clip",
    summary=N_("The clipped surrogate min(r·Â, clip(r, 1−ε, 1+ε)·Â) and its curve over r (PPO paper, Fig. 1)."),
    function="engine.probes.rl:ppo_clip_probe",
    args=(
        Arg("ratio", "float", N_("r_t(θ) = π_θ(a_t|s_t) / π_θold(a_t|s_t)"), min=0.0, max=1000.0),
        Arg("advantage", "float", N_("the advantage estimate Â_t"), min=-1e6, max=1e6),
        Arg("epsilon", "float", N_("the clip range ε"), default=0.2, min=0.0, max=1.0),
    ),
))
register(Probe(
    name="gae",
    summary=N_("Generalised advantage estimation: TD errors δ_t, advantages Â_t and returns."),
    function="engine.probes.rl:gae_probe",
    args=(
        Arg("rewards", "floats", N_("reward r_t per step"), min=-1e6, max=1e6),
        Arg("values", "floats", N_("value estimate V(s_t) per step"), min=-1e6, max=1e6),
        Arg("gamma", "float", N_("discount γ"), default=0.99, min=0.0, max=1.0),
        Arg("lam", "float", N_("GAE λ"), default=0.95, min=0.0, max=1.0),
        Arg("dones", "ints", N_("1 where the episode ends after that step (default: only after the last)"), default=None,
            min=0, max=1),
        Arg("last_value", "float", N_("V(s_T) after the last step, used only when the episode has not ended there"),
            default=0.0, min=-1e6, max=1e6),
    ),
))
register(Probe(
    name="kl",
    summary=N_("Exact KL between two checkpoints' next-token distributions, and the k1/k2/k3 sample estimates."),
    function="engine.probes.rlhf:kl_probe",
    args=(
        Arg("text", "str", N_("the context s")),
        Arg("checkpoint_a", "str", N_("the first policy (the KL is KL[a ‖ b])"), default="sft", choices=CHECKPOINTS),
        Arg("checkpoint_b", "str", N_("the second policy"), default="rlhf", choices=CHECKPOINTS),
        Arg("samples", "int", N_("tokens sampled from a for the estimators"), default=1000, min=1, max=100000),
        seed_arg(),
        model_arg(),
    ),
))
register(Probe(
    name="ppo_step",
    summary=N_("One real PPO update of the bundled RLHF policy, token by token: π_θold, π_θ, ratio, Â, reward, KL."),
    function="engine.probes.rlhf:ppo_step",
    args=(
        Arg("prompt", "str", N_("the prompt the policy answers")),
        seed_arg(N_("random seed (the same seed gives the same numbers)")),
        model_arg(),
    ),
))
register(Probe(
    name="compare_stages",
    summary=N_("The same prompt answered by the pretrained, SFT and RLHF models, with reward-model scores."),
    function="engine.probes.rlhf:compare_stages",
    args=(
        Arg("prompt", "str", N_("the prompt")),
        seed_arg(),
        model_arg(),
    ),
))

# --- small formulas for calculated questions (engine/probes/calculated.py, numpy only) ---

register(Probe(
    name="ratio_from_logprobs",
    summary=N_("r_t = exp(log π_θ − log π_θold) of one token, and its k1/k2/k3 estimates of KL[π_θold ‖ π_θ]."),
    function="engine.probes.calculated:ratio_from_logprobs",
    args=(
        Arg("logp_new", "float", N_("log π_θ(a_t|s_t)"), min=-100.0, max=0.0),
        Arg("logp_old", "float", N_("log π_θold(a_t|s_t), the policy that sampled the token"), min=-100.0, max=0.0),
    ),
))
register(Probe(
    name="scaled_softmax",
    summary=N_("Attention weights softmax(q·k / d_k^power) from raw dot products; power ½ is the √d_k scaling."),
    function="engine.probes.calculated:scaled_softmax",
    args=(
        Arg("scores", "floats", N_("the dot products q·k_j, comma-separated on the command line"), min=-1e6, max=1e6),
        Arg("d_k", "float", N_("the key (and query) width d_k"), min=1e-6, max=1e6),
        Arg("power", "float", N_("divide by d_k to this power: 0.5 as in the paper, 0 for no scaling"), default=0.5,
            min=-4.0, max=4.0),
    ),
))
register(Probe(
    name="pe_entry",
    summary=N_("PE[pos, 2i] = sin(pos / 10000^(2i/d_model)) and PE[pos, 2i+1] = cos(...) of the sinusoidal encoding."),
    function="engine.probes.calculated:pe_entry",
    args=(
        Arg("pos", "int", N_("the position"), min=0, max=10000),
        Arg("i", "int", N_("the frequency index: columns 2i and 2i+1 (below d_model / 2)"), min=0, max=2047),
        Arg("d_model", "int", N_("width of each encoding (even)"), min=2, max=4096),
    ),
))
register(Probe(
    name="clip_branch",
    summary=N_("Which term min(r·Â, clip(r, 1−ε, 1+ε)·Â) selects, and whether the gradient flows through it."),
    function="engine.probes.calculated:clip_branch",
    args=(
        Arg("ratio", "float", N_("r_t(θ)"), min=0.0, max=1000.0),
        Arg("advantage", "float", N_("Â_t"), min=-1e6, max=1e6),
        Arg("epsilon", "float", N_("the clip range ε"), default=0.2, min=0.0, max=1.0),
    ),
))
