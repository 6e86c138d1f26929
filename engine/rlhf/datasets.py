"""The committed fine-tuning data: demonstrations for SFT and preference pairs for the reward model.

    python -m engine.rlhf.datasets          # rewrites engine/data/sft_demos.jsonl and preferences.jsonl

Both files are generated from the course topics below by a fixed seed, so the
command reproduces them byte for byte.

- A demonstration is a prompt "Question: <question> Answer:" and the response
  " <short correct answer>" a teacher would write (SFT learns from these).
  Two teachers answered every training question with the same content: A in
  one clean sentence ending with a full stop, B with a habit (every other
  topic without the full stop, the rest with a filler sentence such as
  "That is all." after it). SFT imitates both, so the SFT model ends about
  half its answers B's way: this is what the preferences, and then PPO,
  correct, as preferences correct what demonstrations cannot pin down in
  real RLHF.
  Training appends the end-of-text token <eot> to every response, so the
  model learns to stop; generation stops there. The prompt format is the one
  the pre-training corpus uses for its questions.
- A preference pair is a prompt with two answers, `chosen` and `rejected`.
  The candidates are the correct answer and corrupted versions of it that
  mimic what a small model gets wrong (misspelt words, an answer cut off
  before its full stop, or cut short with a full stop, a stutter, a filler
  sentence, two answers run together, half of another answer, another
  question's answer). The label comes from the rule in
  engine/rlhf/rater.py, which stands in for human raters.

Each topic asks its question in several phrasings; one phrasing per topic
(the last) is held out: the held-out prompts are never trained on by SFT,
the reward model or PPO, and the evaluation uses them.
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine.rlhf.rater import prefers, rater_score, words

DATA = Path(__file__).parent.parent / "data"  # engine/data
DEMOS_FILE = DATA / "sft_demos.jsonl"
PREFERENCES_FILE = DATA / "preferences.jsonl"
SEED = 1234
MAX_CHARS = 120  # prompt + response, within the model's context of 128 characters (the <eot> needs one)

# Teacher B's habit of ending an answer with a filler sentence (see teacher_b_answer).
FILLERS = ["That is all.", "Good question.", "I think so.", "Hope it helps."]

# (questions, answer): the course's questions in several phrasings, one short correct answer each.
TOPICS: list[tuple[list[str], str]] = [
    # 1. the architecture
    (["What is a transformer?", "What kind of network is a transformer?", "Describe a transformer.",
      "What is the transformer model?"],
     "A deep neural network for text built from attention layers."),
    (["What does attention do?", "What is attention for?", "What does the attention layer do?",
      "Why do we need attention?"],
     "It lets each token look at other tokens and mix their values."),
    (["Why use several attention heads?", "Why are there many heads?", "What is multi-head attention for?",
      "Why not one attention head?"],
     "Each head can focus on a different part of the input."),
    (["What is multi-head attention?", "How does multi-head attention work?", "Explain multi-head attention.",
      "What are attention heads?"],
     "Several heads attend side by side and their outputs are joined."),
    (["What does the positional encoding do?", "What is the positional encoding for?",
      "Why add a positional encoding?", "What does a position encoding add?"],
     "It tells the model the order of the tokens."),
    (["Why does a transformer need positions?", "Why does word order need help?",
      "Does attention see word order?", "Why is attention blind to order?"],
     "Attention alone ignores the order of the tokens."),
    # 2. the layers up to attention
    (["What is the input of the model?", "What does the model get as input?", "What goes into the model?",
      "What is the first layer given?"],
     "The plain text of the user, not yet transformed."),
    (["What does the tokenizer do?", "What is a tokenizer for?", "What does tokenization do?",
      "What happens in tokenization?"],
     "It turns the text into a list of token ids."),
    (["What is a character-level tokenizer?", "How does a character tokenizer work?",
      "What does a char tokenizer do?", "What are character tokens?"],
     "It gives every character its own number."),
    (["What is BPE?", "What is byte pair encoding?", "How does BPE build tokens?", "What does BPE do?"],
     "A subword tokenizer that merges frequent pairs of symbols."),
    (["Why do real models use subword tokens?", "Why not use characters as tokens?",
      "Why are subword tokens better?", "What do subword tokens save?"],
     "They give much shorter sequences than characters."),
    (["What is the vocabulary?", "What is the vocabulary of a model?", "What does the vocabulary hold?",
      "What is a vocab?"],
     "The set of all tokens the model knows, each with a number."),
    (["What does the embedding do?", "What is the embedding layer for?", "What does an embedding produce?",
      "What happens in the embedding?"],
     "It turns each token id into a vector."),
    (["Why are embeddings useful?", "What do embeddings capture?", "Why map tokens to vectors?",
      "What is good about embeddings?"],
     "Similar tokens get vectors that are close together."),
    (["What is a sinusoidal encoding?", "How does the sine encoding work?", "What is the sinusoidal encoding?",
      "How are positions encoded with waves?"],
     "Sine and cosine waves of many frequencies for each position."),
    (["How does GPT encode positions?", "What position code does GPT use?", "Does GPT learn its positions?",
      "How are positions done in GPT?"],
     "With learned position embeddings."),
    # 3. training from nothing to RLHF
    (["What is pretraining?", "What happens in pretraining?", "What is pre-training?",
      "What does the model learn first?"],
     "Learning to predict the next token on a large text corpus."),
    (["What is the loss of pretraining?", "What does pretraining minimise?", "What is the pretraining objective?",
      "Which loss trains the language model?"],
     "The cross entropy of the next token."),
    (["What is SFT?", "What is supervised fine-tuning?", "What does SFT stand for?", "What happens in SFT?"],
     "Supervised fine-tuning on written example answers."),
    (["What does SFT learn from?", "Where does SFT get its data?", "What data does SFT use?",
      "What does supervised fine-tuning use?"],
     "From human demonstrations of good answers."),
    (["What does RLHF learn from?", "Where does RLHF get its signal?", "What data does RLHF use?",
      "What feedback does RLHF use?"],
     "From human preferences between two answers."),
    (["What is a reward model?", "What does the reward model do?", "What is the judge in RLHF?",
      "What gives the reward in RLHF?"],
     "A model that gives an answer a score."),
    (["How is the reward model trained?", "What trains the reward model?", "Where does the reward model learn?",
      "How does the reward model learn?"],
     "On pairs where people chose the better answer."),
    (["What is the loss of the reward model?", "Which loss trains the reward model?",
      "What does the reward model minimise?", "What is the pairwise loss?"],
     "Minus log sigmoid of the chosen minus the rejected score."),
    (["Is PPO part of RLHF?", "How are PPO and RLHF related?", "Is RLHF part of PPO?",
      "What is PPO in RLHF?"],
     "PPO is the RL algorithm used inside RLHF."),
    (["Why is there a KL penalty in RLHF?", "What does the KL penalty do?", "Why penalise the KL?",
      "What keeps the policy near SFT?"],
     "It keeps the policy close to the SFT model."),
    (["What is the reference model?", "What is the frozen model in RLHF?", "What is the reference policy?",
      "Which model is the reference?"],
     "A frozen copy of the SFT model."),
    (["Can the stages be repeated?", "Can RLHF be run again?", "Why repeat the training stages?",
      "Is RLHF done only once?"],
     "Yes, repeating them sharpens the preferences."),
    # 4. basics of RL and PPO
    (["What is the agent in RLHF?", "Who is the agent here?", "Who acts in RLHF?", "What plays the agent?"],
     "The language model itself."),
    (["What is the policy?", "What does the policy do?", "What is a policy in RL?", "What is the actor?"],
     "The rule that picks actions, here the next token."),
    (["What is an action here?", "What is an action in RLHF?", "What does one action mean?",
      "What counts as an action?"],
     "The next token the model writes."),
    (["What is the state here?", "What is a state in RLHF?", "What does the state hold?",
      "What is the state of the agent?"],
     "The prompt and the text written so far."),
    (["What is the critic?", "What does the critic do?", "What is the critic in PPO?", "Who judges the states?"],
     "A value function that judges how good a state is."),
    (["What does the value function estimate?", "What is the value of a state?", "What does V of s mean?",
      "What does the value head predict?"],
     "The reward still to come from a state."),
    (["What is a baseline for?", "Why use a baseline?", "What does the baseline reduce?",
      "Why subtract a baseline?"],
     "It reduces the variance of the gradient."),
    (["What is the goal of RL?", "What does RL try to do?", "What is the aim of the agent?",
      "What does the agent want?"],
     "To find parameters that collect the most reward."),
    (["What is a reward?", "What is the reward in RL?", "What does a reward mean?", "What are points in RL?"],
     "The points the environment gives for an action."),
    # 5. the terms of the PPO objective
    (["What is pi theta?", "What does pi theta mean?", "What is the policy pi theta?",
      "What is pi theta of a given s?"],
     "The policy with the current parameters theta."),
    (["What is pi theta old?", "What does pi theta old mean?", "Which policy is pi theta old?",
      "What is the old policy?"],
     "The policy before the update, which took the samples."),
    (["What is the ratio in PPO?", "What is r t of theta?", "How is the ratio defined?",
      "What does the ratio compare?"],
     "The new probability of the action divided by the old one."),
    (["What is the ratio before the first update?", "What is the ratio at the start?",
      "What is r t before any step?", "Where does the ratio begin?"],
     "Exactly one, because the two policies are the same."),
    (["Why clip the ratio?", "Why does PPO clip?", "What is clipping for?", "Why limit the ratio?"],
     "So one update cannot change the policy too much."),
    (["What is epsilon in PPO?", "What does epsilon set?", "What is the clip range?",
      "What is the epsilon of PPO?"],
     "The clip range of the ratio, often 0.2."),
    (["What is the advantage?", "What does the advantage say?", "What is A hat t?",
      "What does the advantage measure?"],
     "How much better an action was than expected."),
    (["What is GAE?", "How does GAE estimate advantages?", "What is generalised advantage estimation?",
      "What does GAE compute?"],
     "An advantage estimate that sums TD errors with weights."),
    (["What is a TD error?", "What is delta t in GAE?", "What is the temporal difference error?",
      "How is the TD error made?"],
     "Reward plus next value minus the current value."),
    (["What is gamma?", "What does gamma do?", "What is the discount factor?", "What is gamma in RL?"],
     "The discount factor for future rewards."),
    (["What is lambda in GAE?", "What does lambda do in GAE?", "What does the GAE lambda set?",
      "Why is there a lambda in GAE?"],
     "It trades bias against variance."),
    (["What is g hat?", "What does g hat mean?", "What is the policy gradient estimate?",
      "What is g hat in PPO?"],
     "The estimated policy gradient used for gradient ascent."),
    (["What does E hat mean?", "What is E hat t?", "What is the empirical average?",
      "What does the hat on E mean?"],
     "The average over a finite batch of samples."),
    (["What is delta in TRPO?", "What does TRPO bound?", "What is the trust region?",
      "What is the TRPO constraint?"],
     "The bound on the KL of one policy update."),
    (["What is beta?", "What is beta in PPO?", "What does beta weigh?", "What is the KL coefficient?"],
     "The weight of the KL penalty."),
    (["How is beta adapted?", "How does the adaptive beta work?", "When does beta change?",
      "How is the KL coefficient tuned?"],
     "Halved when the KL is small, doubled when it is large."),
    (["What is the score function?", "What is grad log pi?", "What is the gradient of log pi?",
      "What does grad log pi give?"],
     "The gradient of the log probability of the action."),
    (["What is L PG?", "What is the policy gradient loss?", "What is the PG objective?",
      "What does L PG average?"],
     "The mean of log probability times advantage."),
    (["What is L CLIP?", "What is the clipped objective?", "What does L CLIP average?",
      "What is the PPO objective?"],
     "The mean of the minimum of the plain and clipped terms."),
    (["What does the KL measure in PPO?", "What is the KL between old and new?", "What does KL tell us?",
      "What does the KL divergence measure?"],
     "How far the new policy moved from the old one."),
    (["Why take the minimum in L CLIP?", "Why the min in PPO?", "What does the minimum give?",
      "Why is PPO pessimistic?"],
     "It gives a pessimistic bound on the gain."),
    (["What is the entropy bonus?", "Why add an entropy term?", "What does the entropy bonus do?",
      "Why reward entropy?"],
     "A term that keeps the policy from becoming too sure."),
    (["What is the value loss?", "How is the critic trained?", "What does the value loss compare?",
      "Which loss trains the critic?"],
     "The squared error between the value and the return."),
    # 6. dot product and attention scores
    (["What does the dot product q k give?", "What is q dot k?", "What does the dot product measure?",
      "What is the attention score?"],
     "The affinity of one token for another token."),
    (["Why divide by the root of d k?", "Why scale the scores?", "What does the scaling do?",
      "Why the square root of d k?"],
     "It keeps the softmax out of saturation."),
    (["What does the softmax do?", "What is the softmax for?", "What does softmax give?",
      "Why use a softmax?"],
     "It turns scores into probabilities."),
    (["What are the attention weights?", "What does an attention weight mean?",
      "What do the weights of attention say?", "What is an attention weight?"],
     "How much each token matters for another token."),
    (["What is the output of attention?", "What does attention return?", "What comes out of attention?",
      "What does a head output?"],
     "A weighted sum of the value vectors."),
    (["What is the causal mask?", "What does the mask do?", "Why mask future tokens?",
      "What does the causal mask hide?"],
     "It stops a token from seeing later tokens."),
    (["What are queries, keys and values?", "What are q, k and v?", "Where do q, k and v come from?",
      "What are the query and key?"],
     "Three learned projections of each token vector."),
]


def prompt_text(question: str) -> str:
    return f"Question: {question} Answer:"


def response_text(answer: str) -> str:
    return f" {answer}"


# --- corruptions: what a small model gets wrong ---

def _misspell(answer: str, rng: random.Random, n: int) -> str:
    chars = list(answer[:-1])  # keep the full stop
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    for i in rng.sample(letters, min(n, len(letters))):
        op = rng.randrange(3)
        if op == 0:
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        elif op == 1:
            chars[i] = ""
        else:
            chars[i] = chars[i] + rng.choice("aeiourstln")
    return "".join(chars) + "."


def _cut(answer: str, rng: random.Random) -> str:
    body = answer.rstrip(".")
    return body[: rng.randint(max(3, len(body) // 3), len(body) - 1)].rstrip()


def _cut_short(answer: str, rng: random.Random) -> str:
    """The first few words and a full stop: it looks finished, but half the answer is missing."""
    ws = answer.rstrip(".").split(" ")
    return " ".join(ws[: rng.randint(1, max(1, len(ws) // 2))]) + "."


def _stutter(answer: str, rng: random.Random) -> str:
    ws = answer.rstrip(".").split(" ")
    i = rng.randrange(len(ws))
    return " ".join(ws[: i + 1] + ws[i: i + 1] * rng.randint(1, 3) + ws[i + 1:]) + "."


def _mash(answer: str, other: str) -> str:
    a, b = answer.rstrip(".").split(" "), other.split(" ")
    return " ".join(a[: max(1, len(a) // 2)] + b[len(b) // 2:])


def _fit(text: str, limit: int) -> str:
    """Cut at the last space so the text has at most `limit` characters."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def corruptions(answer: str, others: list[str], rng: random.Random, limit: int = 96) -> list[tuple[str, str]]:
    """(kind, text) for every kind of bad answer made from this good one."""
    other = rng.choice(others)
    made = [
        ("typo", _misspell(answer, rng, 1)),
        ("typos", _misspell(answer, rng, 4)),
        ("cut_off", _cut(answer, rng)),
        ("cut_short", _cut_short(answer, rng)),
        ("no_full_stop", answer.rstrip(".")),
        ("stutter", _stutter(answer, rng)),
        ("run_on", answer + " " + other),
        ("filler", answer + " " + rng.choice(FILLERS)),
        ("mash_up", _mash(answer, other)),
        ("off_topic", other),
    ]
    return [(kind, _fit(text, limit)) for kind, text in made]


@dataclass(frozen=True)
class Demo:
    prompt: str
    response: str
    topic: int
    split: str
    teacher: str


def teacher_b_answer(topic: int, answer: str, room: int) -> str:
    """The second teacher's habit: every other topic without the full stop, the rest with a filler
    sentence (when it fits in `room` characters; else without the full stop too)."""
    with_filler = f"{answer} {FILLERS[topic // 2 % len(FILLERS)]}"
    if topic % 2 == 0 or len(with_filler) > room:
        return answer.rstrip(".")
    return with_filler


def build_demos() -> list[Demo]:
    """Two teachers answer every training question: A in one clean sentence, B with a habit.

    Held-out questions get teacher A's answer only (their loss measures the content).
    """
    demos = []
    for topic, (questions, answer) in enumerate(TOPICS):
        for i, q in enumerate(questions):
            split = "heldout" if i == len(questions) - 1 else "train"
            demos.append(Demo(prompt_text(q), response_text(answer), topic, split, "A"))
            if split == "train":
                demos.append(Demo(prompt_text(q), response_text(teacher_b_answer(topic, answer, MAX_CHARS - len(prompt_text(q)) - 1)), topic, split, "B"))
    return demos


def build_preferences(demos: list[Demo], lexicon: set[str], seed: int = SEED) -> list[dict]:
    """Label pairs of candidate answers with the stand-in rater (engine/rlhf/rater.py)."""
    rng = random.Random(seed)
    answers = [a for _, a in TOPICS]
    pairs = []
    for demo in demos:
        if demo.teacher != "A":
            continue  # one set of pairs per question
        good = TOPICS[demo.topic][1]
        others = [a for j, a in enumerate(answers) if j != demo.topic]
        room = MAX_CHARS - len(demo.prompt) - 1  # what is left of the context after the prompt and the space
        candidates = [("correct", good)] + corruptions(good, others, rng, limit=room)
        # Every corruption against the correct answer, plus three pairs of two bad answers,
        # so the reward model also learns which mistakes are worse.
        matchups = [(0, j) for j in range(1, len(candidates))]
        bad_pairs = [(i, j) for i in range(1, len(candidates)) for j in range(i + 1, len(candidates))]
        matchups += rng.sample(bad_pairs, 3)
        for i, j in matchups:
            (kind_a, a), (kind_b, b) = candidates[i], candidates[j]
            choice = prefers(a, b, good, lexicon)
            if choice is None:
                continue
            (ck, chosen), (rk, rejected) = ((kind_a, a), (kind_b, b)) if choice == 0 else ((kind_b, b), (kind_a, a))
            pairs.append({
                "prompt": demo.prompt,
                "chosen": response_text(chosen),
                "rejected": response_text(rejected),
                "chosen_kind": ck,
                "rejected_kind": rk,
                "chosen_score": round(rater_score(chosen, good, lexicon), 4),
                "rejected_score": round(rater_score(rejected, good, lexicon), 4),
                "topic": demo.topic,
                "split": demo.split,
            })
    return pairs


def course_lexicon() -> set[str]:
    """Every word of every question and answer: what the rater counts as spelled right."""
    found = set()
    for questions, answer in TOPICS:
        for text in questions + [answer]:
            found.update(words(text))
    return found


# --- loading the committed files ---

def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_demos(split: str | None = None) -> list[dict]:
    rows = _read_jsonl(DEMOS_FILE)
    return [r for r in rows if split is None or r["split"] == split]


def load_preferences(split: str | None = None) -> list[dict]:
    rows = _read_jsonl(PREFERENCES_FILE)
    return [r for r in rows if split is None or r["split"] == split]


@lru_cache(maxsize=1)
def references() -> dict[str, str]:
    """prompt → the course's correct answer (without the leading space and the stop)."""
    return {prompt_text(q): a for questions, a in TOPICS for q in questions}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_files() -> None:
    DATA.mkdir(exist_ok=True)
    demos = build_demos()
    lexicon = course_lexicon()
    pairs = build_preferences(demos, lexicon)
    for text in [d.prompt + d.response for d in demos] + [p["prompt"] + p[k] for p in pairs for k in ("chosen", "rejected")]:
        if len(text) > MAX_CHARS:
            raise ValueError(f"{text!r} is longer than {MAX_CHARS} characters")
    with open(DEMOS_FILE, "w", encoding="utf-8") as f:
        for d in demos:
            f.write(json.dumps({"prompt": d.prompt, "response": d.response, "topic": d.topic, "split": d.split,
                                "teacher": d.teacher}, ensure_ascii=False) + "\n")
    with open(PREFERENCES_FILE, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write_files()
    demos, prefs = load_demos(), load_preferences()
    print(f"{DEMOS_FILE.name}: {len(demos)} demonstrations "
          f"({sum(d['split'] == 'train' for d in demos)} train, {sum(d['split'] == 'heldout' for d in demos)} held out)")
    print(f"{PREFERENCES_FILE.name}: {len(prefs)} pairs "
          f"({sum(p['split'] == 'train' for p in prefs)} train, {sum(p['split'] == 'heldout' for p in prefs)} held out)")
