"""Write engine/data/corpus.txt: English prose about the course, generated deterministically.

The text is written for this project (MIT, like the rest of it): hand-written
sentences on each topic of the course, shuffled into short documents;
question-answer pairs; worked examples whose numbers are computed here (dot
products, √d_k, softmax, PPO ratios and clipping, KL penalties, TD errors);
and copy exercises (words and random strings spelled out or repeated later
in the same sentence), which can only be completed by attending to earlier
positions. One document per line; training puts an end-of-text token between
documents.

    python -m engine.data.make_corpus          # rewrites corpus.txt
    python -m engine.data.make_corpus --check  # exit 1 if corpus.txt is not what this script writes
"""
from __future__ import annotations

import math
import random
import sys
from pathlib import Path

SEED = 2017  # the year of "Attention Is All You Need"
TARGET_CHARS = 300_000
CORPUS = Path(__file__).with_name("corpus.txt")

# One sentence per line. Every sentence is true on its own, so any shuffle of a
# topic's sentences is a correct paragraph.
TOPICS: dict[str, str] = {
"transformer": """
A transformer is a deep neural network for text.
The transformer was introduced in the paper Attention Is All You Need by Vaswani and others in 2017.
Large language models such as GPT are transformers.
A decoder-only transformer reads a sequence of tokens and predicts the next token.
The input of the model is plain text typed by the user; it is not transformed before tokenization.
The text is first split into tokens, then each token becomes a vector, then the positional encoding is added.
After the embedding and the positional encoding come the transformer blocks.
Each block has a multi-head attention layer and a feed-forward layer.
In a pre-norm block, layer normalization comes before the attention and before the feed-forward network.
Residual connections add the output of each layer back to its input.
The residual stream carries information from the embedding to the last layer.
The last layer normalization is followed by the language model head, which produces the logits.
The logits are one score for every token of the vocabulary.
A softmax turns the logits into a probability distribution over the next token.
The model in this app has three layers, four heads per layer and a width of 128.
The model in this app reads characters, so its vocabulary is small.
A small model trained on a small corpus can still learn spelling, words and common phrases.
Attention lets every token look at the tokens before it.
The transformer processes all positions of a sequence in parallel during training.
Unlike a recurrent network, a transformer has no hidden state that is passed from step to step.
Without a positional encoding, a transformer would not know the order of the tokens.
The width of the model is called d_model.
Every token is represented by a vector of d_model numbers at every layer.
A decoder-only model uses a causal mask, so it cannot look at future tokens.
The feed-forward network works on each position separately.
The feed-forward network widens the vector four times, applies a nonlinearity and narrows it again.
GELU is the nonlinearity used in the feed-forward network of GPT models.
Layer normalization rescales each vector to mean zero and variance one, then applies a learned scale and shift.
The parameters of the model are the numbers that training changes.
The model has about six hundred thousand parameters; large language models have billions.
""",
"tokenization": """
Tokenization turns text into a sequence of token ids.
A tokenizer has a vocabulary: a table that gives every token a number.
A character-level tokenizer gives every character and every symbol its own number.
With a character-level tokenizer, the word attention becomes nine tokens.
The character-level tokenizer of this app has an unknown token for characters it has never seen.
A character outside the vocabulary is replaced by the unknown token instead of causing an error.
Encoding maps text to ids, and decoding maps ids back to text.
Decoding the encoded text gives back the original text when every character is in the vocabulary.
Most large language models use sub-word tokenizers such as byte-pair encoding.
Byte-pair encoding starts from single characters and repeatedly merges the most frequent pair of neighbouring tokens.
Each merge adds one new token to the vocabulary.
After many merges, frequent words such as the and attention become single tokens.
Rare words are split into several sub-word pieces.
A sub-word tokenizer makes sequences shorter than a character-level tokenizer does.
Shorter sequences let the model see more text within the same context length.
A larger vocabulary means a larger embedding table and a larger language model head.
The space before a word is often part of the token in byte-pair encoding.
The token ids are integers; they carry no meaning until the embedding turns them into vectors.
The same text always gives the same token ids.
The vocabulary is stored together with the weights, because the ids only make sense with the vocabulary they were trained with.
Tokens are the unit in which the model reads and writes.
The text "Hello, world!" has 13 characters, so the character-level tokenizer turns it into 13 tokens.
The model predicts one token at a time.
The context length is the largest number of tokens the model can read at once.
A text longer than the context is cut, and the model only sees its last tokens.
Special tokens such as end of text mark where one document stops and the next begins.
""",
"embedding": """
The embedding layer turns each token id into a vector.
The embedding is a table with one row per token of the vocabulary.
Looking up a token id means taking the row with that number from the embedding table.
Each row of the embedding table has d_model numbers.
The embedding vectors are learned during training.
Tokens that are used in similar ways end up with similar embedding vectors.
Cosine similarity measures how close two embedding vectors point in the same direction.
Similar tokens are close in the embedding space, so the model can pick up meaning and relations.
In a character-level model, the embeddings of vowels often lie close to each other.
Upper case and lower case versions of a letter can end up near each other.
The digits often form their own group in the embedding space.
The embedding is the first layer that has learned parameters.
At the start of training the embedding vectors are random.
The embedding of a token is the same at every position; the positional encoding makes the positions differ.
An embedding turns a discrete symbol into a point in a continuous space.
Gradient descent moves the embedding vectors so that the loss becomes smaller.
Word embeddings such as word2vec showed that directions in the space can carry meaning.
""",
"positional": """
Attention by itself does not know the order of the tokens.
The positional encoding adds information about the position of each token.
The positional encoding makes the model aware of the order of the data.
Word order matters: the dog bites the man is not the same as the man bites the dog.
The original transformer uses a sinusoidal positional encoding.
The sinusoidal encoding uses sines and cosines of different frequencies.
For position pos and dimension 2i, the encoding is sin(pos / 10000^(2i/d_model)).
For dimension 2i+1, the encoding is cos(pos / 10000^(2i/d_model)).
The first dimensions change quickly from one position to the next, the last dimensions change slowly.
Each position gets a unique pattern of numbers.
At position 0 every sine is 0 and every cosine is 1.
The positional encoding has the same width as the embedding, so the two can be added.
The positional encoding is added to the token embedding before the first block.
The sinusoidal encoding is fixed; it is computed, not learned.
GPT models learn their position embeddings instead of using sines and cosines.
The dot product of two positional encodings depends only on the distance between the positions.
Nearby positions have similar encodings, and the similarity generally falls as the distance grows.
Relative positions can be read from the encodings, because a shift in position is a rotation of each sine and cosine pair.
The sinusoidal encoding can be computed for positions longer than any seen in training.
This app uses the sinusoidal encoding of Vaswani and others, added to learned token embeddings.
""",
"attention": """
Attention lets each token gather information from other tokens.
Every token produces a query, a key and a value.
The query says what a token is looking for.
The key says what a token offers to the others.
The value is the information a token passes on when it is attended to.
The query, key and value are computed by multiplying the token's vector with the matrices W_Q, W_K and W_V.
The dot product q·k produces the attention score.
Let X be the matrix of token vectors; then Q = X W_Q, K = X W_K and V = X W_V.
Just like the queries, the keys and the values are computed with learned matrices.
Query i may attend to key j only when j <= i.
The attention score measures the affinity of one token for another token in the sequence.
A large dot product means that the query and the key point in a similar direction.
The attention score says how important one token is for another.
The scores are divided by the square root of d_k before the softmax.
Without the scaling by √d_k, the dot products grow with the dimension and the softmax becomes too sharp.
If the entries of q and k have variance one, the dot product q·k has variance d_k.
Dividing by √d_k brings the variance of the scores back to one.
The softmax turns each row of scaled scores into attention weights that sum to one.
The attention weights are non-negative and add up to one for every query.
The output of attention is the weighted sum of the values.
In matrix form, attention is softmax(QK^T / √d_k) V.
The causal mask stops a token from attending to tokens that come after it.
Masked scores are set to minus infinity, so their softmax weight is zero.
The first token can only attend to itself, so its weight on itself is one.
The last token can attend to every token in the sequence.
The attention weights form a square matrix with one row per query and one column per key.
Above the diagonal, the causal attention matrix is zero.
Attention is how the model takes context into account.
The same attention weights are used to mix the value vectors of all earlier tokens.
Attention has no parameters of its own besides the matrices that make the queries, keys and values and the output projection.
Queries and keys are compared, values are mixed.
The dot product is a sum of products: q·k = q_1 k_1 + q_2 k_2 + ... + q_d k_d.
The raw scores can be any real number; only the softmax makes them probabilities.
""",
"multihead": """
Multi-head attention runs several attention heads side by side.
Each head has its own queries, keys and values.
Each head can focus on different parts of the input.
The width of each head is d_k = d_model / number of heads.
The model in this app has four heads of width 32 in each layer.
The outputs of the heads are concatenated and mixed by the output projection W_O.
One head may attend to the previous token, another to the start of the text.
A previous-token head puts most of its weight on the token just before the query.
Some heads spread their weight broadly and average over many earlier tokens.
Some heads attend to earlier copies of the same character.
Different heads learn different patterns, because each starts from different random weights.
The roles of the heads are found by looking at their attention weights on held-out text.
Heads in the first layer often look at nearby positions.
Heads in later layers can combine the information gathered by earlier heads.
Several heads give the model several ways of looking at the same sequence at once.
The cost of multi-head attention is about the same as one head of full width.
""",
"next_token": """
A language model predicts the next token from the tokens before it.
The model outputs a probability for every token in the vocabulary.
The probability of the next token given the context is written π_θ(a | s).
In the language of reinforcement learning, the context is the state and the next token is the action.
The language model is itself the policy π_θ.
The logits are divided by the temperature before the softmax.
A low temperature makes the distribution sharper; a high temperature makes it flatter.
At temperature zero the model always picks the most likely token; this is greedy decoding.
Top-k sampling keeps only the k most likely tokens and samples among them.
Text is generated one token at a time: sample a token, append it, and predict again.
The generated text depends on the random seed used for sampling.
The probabilities of all next tokens always sum to one.
A well trained model gives high probability to the token that really comes next.
""",
"pretraining": """
Pre-training is the first stage of training a language model.
In pre-training, the model learns to predict the next token on a large data set of text.
The loss is the cross-entropy: minus the log probability of the true next token.
The average loss over the training data is minimised by gradient descent.
The gradient says how each parameter should change to lower the loss.
Backpropagation computes the gradient of the loss with respect to every parameter.
The optimiser in this app is AdamW, a version of Adam with decoupled weight decay.
The learning rate controls the size of each update.
The learning rate is warmed up at the start and decayed towards the end of training.
The data is split into a training set and a validation set.
The validation loss is measured on text the model was not trained on.
If the training loss falls but the validation loss rises, the model is overfitting.
A model that predicts characters from their frequency alone reaches the unigram baseline loss.
A trained model must reach a loss well below the unigram baseline to show that it uses context.
A loss of zero would mean the model always knows the next token for sure.
A batch is a set of sequences processed together in one training step.
One training step computes the loss on a batch, backpropagates and updates the parameters.
Pre-training gives the model knowledge of language but not the habit of answering questions.
After pre-training, the model continues text; it does not yet follow instructions.
The pre-trained model is the starting point for supervised fine-tuning.
The training corpus of this app is English prose about transformers, attention and reinforcement learning.
Pre-training needs no labels: the next token in the text is the target.
A fixed random seed makes training reproducible.
""",
"sft": """
Supervised fine-tuning is the second stage of training.
Supervised fine-tuning is often called SFT.
In SFT, the model is trained on examples of answers written by humans.
Each example pairs a prompt with a good response.
SFT uses the same next-token loss as pre-training, but only on the response.
SFT teaches the model the format of a helpful answer.
SFT learns from human demonstrations, while RLHF learns from human preferences.
The fine-tuned model is called the SFT model.
The SFT model is the starting point for reinforcement learning from human feedback.
The SFT model also serves as the reference model for the KL penalty.
Fine-tuning changes the weights of a model that has already been pre-trained.
A small set of good demonstrations can change the behaviour of a model a lot.
""",
"reward_model": """
A reward model gives a score to a response.
The reward model is trained on human preference comparisons.
For each prompt, humans compare two responses and choose the better one.
The reward model learns to give the preferred response a higher score.
The loss of the reward model is minus the log sigmoid of the difference between the two scores.
This is the Bradley-Terry model of pairwise preferences.
The reward model is often a transformer with a scalar head instead of a language model head.
The scalar head reads the hidden state of the last token and outputs one number.
The reward model plays the role of the judge: it assigns points to the actions of the agent.
The reward model is only an estimate of what humans prefer.
A policy that is optimised too hard against a reward model can exploit its mistakes.
Exploiting the mistakes of the reward model is called reward hacking.
""",
"rlhf": """
RLHF stands for reinforcement learning from human feedback.
RLHF is the third stage of training, after pre-training and supervised fine-tuning.
In RLHF, the model is trained with reinforcement learning against a reward model.
PPO is the reinforcement learning algorithm used inside RLHF.
RLHF is not a part of PPO; PPO is a part of RLHF.
The human feedback in RLHF is a set of preference comparisons between responses.
The policy generates a response, the reward model scores it, and PPO updates the policy.
A KL penalty keeps the policy close to the SFT model.
Without the KL penalty, the policy could drift far from fluent text to chase reward.
The reward used in RLHF is the reward model score minus β times the KL divergence.
The coefficient β sets how strongly the policy is held near the reference model.
The stages of pre-training, fine-tuning and RLHF can be repeated to sharpen the preferences.
In RLHF for language models, the agent is the language model itself.
An episode is one prompt and one generated response.
Each generated token is one action of the agent.
""",
"rl_basics": """
In reinforcement learning, an agent interacts with an environment.
The agent observes a state, takes an action and receives a reward.
The policy is the rule the agent uses to choose actions.
A stochastic policy gives a probability to every action in every state.
The goal is to find the policy parameters that collect the most reward.
The return is the sum of the rewards, often discounted by a factor γ.
The discount factor γ makes rewards far in the future count less.
The value function V(s) estimates the return expected from state s.
The critic learns the value function.
The actor is the policy; the critic judges the states the actor reaches.
The value estimate serves as a baseline that reduces the variance of the policy gradient.
A baseline does not change the expected gradient, only its variance.
The policy gradient raises the probability of actions that turned out better than expected.
The gradient of the log probability, ∇_θ log π_θ(a_t | s_t), is called the score function.
The estimated policy gradient is written ĝ and is used for gradient ascent.
Ê_t[...] is the empirical average over a finite batch of samples.
The objective L^PG(θ) = Ê_t[log π_θ(a_t | s_t) Â_t] has the policy gradient as its gradient.
""",
"ppo": """
PPO stands for proximal policy optimization.
PPO was introduced by Schulman and others in 2017.
PPO keeps each policy update small, so that learning stays stable.
The policy before the update is written π_θold.
The probability ratio r_t(θ) is π_θ(a_t | s_t) divided by π_θold(a_t | s_t).
A ratio of one means that the policy has not changed for that action.
A ratio of 1.2 means that the new policy is 20% more likely to take the action than the old one.
When the advantage is positive and r_t > 1 + ε, the clipped term is the smaller one and the gradient is zero.
PPO clips the ratio to the interval from 1 - ε to 1 + ε.
A common choice for the clip range ε is 0.2.
The clipped objective is L^CLIP(θ) = Ê_t[min(r_t(θ) Â_t, clip(r_t(θ), 1 - ε, 1 + ε) Â_t)].
Taking the minimum makes the objective a pessimistic bound.
When the advantage is positive, the objective stops growing once the ratio passes 1 + ε.
When the advantage is negative, the objective stops growing once the ratio falls below 1 - ε.
The clipping removes the incentive to move the policy too far in one update.
PPO reuses each batch of samples for several epochs of minibatch updates.
TRPO limits the policy change with a hard constraint on the KL divergence, bounded by δ.
PPO replaces the hard constraint of TRPO with clipping, which is simpler to compute.
A variant of PPO uses a KL penalty with coefficient β instead of clipping.
The ratio is computed as the exponential of the difference of log probabilities.
The approximate KL between the old and new policy is watched during training.
The fraction of clipped ratios tells how often the clipping was active.
PPO trains the actor and the critic together.
The value loss trains the critic to predict the returns.
An entropy bonus keeps the policy from becoming deterministic too early.
""",
"advantage": """
The advantage Â_t says how much better the action a_t was than expected in state s_t.
A positive advantage means the action was better than the value estimate predicted.
A negative advantage means the action was worse than expected.
The advantage is estimated with generalized advantage estimation, GAE.
The TD error is δ_t = r_t + γ V(s_t+1) - V(s_t).
GAE sums the TD errors, each discounted by γλ per step.
With λ = 0, the advantage is the one-step TD error.
With λ = 1, the advantage is the discounted return minus the value estimate.
The parameter λ trades bias against variance.
Advantages are often normalised to mean zero and standard deviation one in each minibatch.
The return used to train the critic is the advantage plus the value estimate.
""",
"kl": """
The Kullback-Leibler divergence measures how different two probability distributions are.
KL[π_θold(· | s_t), π_θ(· | s_t)] is the size of the policy change in state s_t.
The KL divergence is zero when the two distributions are the same.
The KL divergence is never negative.
Zero is the smallest value the KL divergence can take.
The KL divergence is not symmetric: KL[p ‖ q] is not in general KL[q ‖ p].
KL[p ‖ q] is the sum over tokens of p times the log of p divided by q.
In RLHF, the KL penalty is measured between the policy and the reference SFT model.
The KL divergence can be estimated from samples with the estimators k1, k2 and k3.
The estimator k1 is minus the log ratio; it is unbiased but can be negative.
The estimator k3 is the ratio minus one minus the log ratio; it is unbiased and never negative.
The coefficient β multiplies the KL penalty.
A larger β keeps the policy closer to the reference model.
""",
"softmax": """
The softmax turns a list of scores into probabilities.
The softmax of x_i is exp(x_i) divided by the sum of exp(x_j) over all j.
The softmax keeps the order of the scores: a higher score gets a higher probability.
Adding the same number to every score does not change the softmax.
Subtracting the largest score before the exponential avoids overflow.
The softmax is used twice in a transformer: for the attention weights and for the next token.
Dividing the scores by a temperature before the softmax makes it sharper or flatter.
When one score is much larger than the others, the softmax puts almost all weight on it.
When all scores are equal, the softmax gives every entry the same probability.
""",
}

# Questions and answers: each answer is one or two sentences that stand on their own.
QA: list[tuple[str, str]] = [
    ("What is a transformer?", "A transformer is a deep neural network for text built from attention and feed-forward layers."),
    ("What does the tokenizer do?", "The tokenizer turns text into token ids, using a vocabulary that gives every token a number."),
    ("What does a character-level tokenizer do?", "It gives every character and every symbol its own number."),
    ("What is byte-pair encoding?", "Byte-pair encoding is a sub-word tokenizer that repeatedly merges the most frequent pair of tokens."),
    ("What does the embedding do?", "The embedding turns each token id into a vector, so that similar tokens are close to each other."),
    ("Why does a transformer need a positional encoding?", "Attention does not know the order of the tokens, so the position must be added to each token."),
    ("What is the sinusoidal positional encoding?", "It encodes each position with sines and cosines of different frequencies, as in the original transformer."),
    ("What does the dot product q·k produce?", "The dot product of the query and the key produces the attention score, the affinity of one token for another."),
    ("Why are the scores divided by the square root of d_k?", "Dividing by √d_k keeps the variance of the scores near one, so the softmax does not saturate."),
    ("What does the causal mask do?", "The causal mask stops each token from attending to the tokens that come after it."),
    ("What is the output of an attention head?", "The output of an attention head is the weighted sum of the values, with the attention weights as weights."),
    ("What is multi-head attention?", "Multi-head attention runs several heads in parallel, so each head can focus on different parts of the input."),
    ("What is an attention weight?", "An attention weight says how much one token attends to another; the weights of each query sum to one."),
    ("What does the softmax do?", "The softmax turns scores into positive probabilities that sum to one."),
    ("What is pre-training?", "Pre-training teaches the model to predict the next token on a large data set of text."),
    ("What is supervised fine-tuning?", "Supervised fine-tuning trains the pre-trained model on examples of answers written by humans."),
    ("What is a reward model?", "A reward model scores responses; it is trained on human comparisons between pairs of responses."),
    ("What is RLHF?", "RLHF is reinforcement learning from human feedback: the model is trained with PPO against a reward model."),
    ("Is RLHF a part of PPO?", "No. PPO is the reinforcement learning algorithm used inside RLHF."),
    ("What is the policy π_θ?", "The policy π_θ gives the probability of each action in each state; for a language model it is the model itself."),
    ("What is π_θ(a_t | s_t)?", "It is the probability that the policy chooses action a_t in state s_t."),
    ("What is π_θold?", "π_θold is the policy before the update, used to compute the probability ratio."),
    ("What is the ratio r_t(θ)?", "The ratio r_t(θ) is π_θ(a_t | s_t) divided by π_θold(a_t | s_t)."),
    ("Why does PPO clip the ratio?", "Clipping the ratio to [1 - ε, 1 + ε] removes the incentive to change the policy too much in one update."),
    ("What is the advantage Â_t?", "The advantage Â_t estimates how much better the action a_t was than expected in state s_t."),
    ("What is β in the KL penalty?", "β is the coefficient that sets how strongly the KL penalty holds the policy near the reference model."),
    ("What is δ in TRPO?", "δ is the bound on the KL divergence between the old and the new policy."),
    ("What does Ê_t mean?", "Ê_t is the empirical average over a finite batch of samples."),
    ("What is ĝ?", "ĝ is the estimated policy gradient, used for gradient ascent on the objective."),
    ("What does the KL divergence measure?", "The KL divergence measures how much one probability distribution differs from another."),
    ("What is the critic?", "The critic is the value function; it estimates the return expected from a state."),
    ("Who is the agent in RLHF?", "In RLHF, the agent is the language model itself, and each generated token is an action."),
    ("What does the temperature do?", "The temperature divides the logits: a low temperature sharpens the distribution, a high one flattens it."),
    ("What are logits?", "Logits are the raw scores of the language model head, one for every token of the vocabulary."),
    ("What is the unigram baseline?", "The unigram baseline is the loss of a model that predicts each token from its frequency alone."),
]

# Sentences in the style a learner types, kept OUT of the corpus: the loss on them
# shows how well the model does on course prose it has never seen.
UNSEEN: list[str] = [
    "The attention head looks at the previous token and copies its value.",
    "A tokenizer maps each character of my sentence to an integer id.",
    "Why do we divide the dot product by the square root of the key dimension?",
    "The reward model prefers short and polite answers.",
    "During pre-training the network reads a lot of text and guesses the next character.",
    "Positional information is added so that the order of words matters.",
    "The policy samples a token, and the critic estimates how good the state is.",
    "Clipping the probability ratio keeps the new policy near the old one.",
    "Embeddings place related tokens close together in vector space.",
    "Softmax converts the scores of all keys into weights between zero and one.",
    "Multi-head attention lets the model attend to several positions at once.",
    "The KL penalty stops the fine-tuned model from forgetting how to write.",
]

CONNECTORS = ["In other words, ", "For example, ", "Note that ", "Also, ", "In short, ", "Remember: ",
              "In this app, ", "As a result, ", "In practice, ", "Put simply, "]

WORDS = ["attention", "token", "query", "key", "value", "softmax", "policy", "reward", "layer", "head",
         "model", "vector", "embedding", "position", "transformer", "gradient"]


# --- worked examples: every number is computed, so every example is correct ---

def _vec(rng: random.Random, n: int) -> list[int]:
    return [rng.randint(-3, 3) for _ in range(n)]


def _fmt(v: list) -> str:
    return "(" + ", ".join(str(x) for x in v) + ")"


def dot_example(rng: random.Random) -> str:
    n = rng.choice([2, 3, 4])
    q, k = _vec(rng, n), _vec(rng, n)
    terms = " + ".join(f"{a}*{b}" for a, b in zip(q, k))
    s = sum(a * b for a, b in zip(q, k))
    dk = rng.choice([4, 9, 16, 64])
    return (f"Take the query q = {_fmt(q)} and the key k = {_fmt(k)}. The dot product is q·k = {terms} = {s}. "
            f"{'A positive score means the query likes this key.' if s > 0 else 'A score that is not positive means little affinity.'} "
            f"With d_k = {dk}, the score is divided by √{dk} = {math.isqrt(dk)}, which gives {s / math.isqrt(dk):.2f}.")


def softmax_example(rng: random.Random) -> str:
    scores = [rng.randint(-2, 4) for _ in range(rng.choice([2, 3, 4]))]
    exps = [math.exp(x) for x in scores]
    probs = [e / sum(exps) for e in exps]
    return (f"The softmax of the scores {_fmt(scores)} is {_fmt([f'{p:.2f}' for p in probs])}. "
            f"The largest score, {max(scores)}, gets the largest weight, and the weights sum to one.")


def scaling_example(rng: random.Random) -> str:
    heads = rng.choice([2, 4, 8])
    d_model = heads * rng.choice([8, 16, 32])
    dk = d_model // heads
    return (f"A model with d_model = {d_model} and {heads} heads has d_k = {d_model} / {heads} = {dk} per head. "
            f"Its attention scores are divided by √{dk} = {math.sqrt(dk):.2f}.")


def ratio_example(rng: random.Random) -> str:
    old = rng.choice([0.1, 0.2, 0.25, 0.3, 0.4, 0.5])
    new = round(old * rng.choice([0.5, 0.7, 0.9, 1.0, 1.1, 1.3, 1.5, 2.0]), 3)
    eps = rng.choice([0.1, 0.2, 0.3])
    adv = rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
    r = new / old
    c = min(max(r, 1 - eps), 1 + eps)
    obj = min(r * adv, c * adv)
    text = (f"The old policy gave the action probability {old} and the new policy gives {new}, "
            f"so the ratio is {new} / {old} = {r:.2f}. With ε = {eps}, the clipped ratio is {c:.2f}. ")
    text += f"With the advantage {adv}, the objective is min({r:.2f} * {adv}, {c:.2f} * {adv}) = {obj:.2f}."
    return text


def kl_example(rng: random.Random) -> str:
    score = rng.choice([0.5, 1.0, 1.5, 2.0, 3.0])
    kl = rng.choice([0.1, 0.2, 0.5, 1.0, 2.0])
    beta = rng.choice([0.01, 0.05, 0.1, 0.2])
    return (f"If the reward model gives the score {score}, the KL divergence from the SFT model is {kl} "
            f"and β = {beta}, the reward is {score} - {beta} * {kl} = {score - beta * kl:.3f}.")


def td_example(rng: random.Random) -> str:
    r = rng.choice([0.0, 1.0, -1.0, 0.5])
    v, v_next = rng.choice([0.2, 0.5, 1.0]), rng.choice([0.0, 0.4, 0.8])
    g = rng.choice([0.9, 0.99, 1.0])
    d = r + g * v_next - v
    return (f"With the reward r_t = {r}, γ = {g}, V(s_t+1) = {v_next} and V(s_t) = {v}, "
            f"the TD error is δ_t = {r} + {g} * {v_next} - {v} = {d:.3f}.")


def char_example(rng: random.Random) -> str:
    w = rng.choice(WORDS)
    return (f'The character-level tokenizer splits the word "{w}" into {len(w)} tokens: {", ".join(w)}. '
            f'Decoding those tokens gives back "{w}".')


def position_example(rng: random.Random) -> str:
    pos = rng.randint(1, 60)
    d_model = rng.choice([16, 64, 128])
    return (f"At position {pos}, the first pair of dimensions of the encoding is sin({pos}) = {math.sin(pos):.3f} "
            f"and cos({pos}) = {math.cos(pos):.3f}. With d_model = {d_model}, the last pair turns "
            f"{10000 ** ((d_model - 2) / d_model):.0f} times more slowly.")


def _course_words() -> list[str]:
    """Every distinct lower-case word of three or more letters in the topic sentences."""
    import re
    text = " ".join(TOPICS.values())
    return sorted({w for w in re.findall(r"[a-z]+", text) if len(w) >= 3})


COURSE_WORDS = _course_words()


def copy_example(rng: random.Random) -> str:
    """Texts that are repeated or spelled later in the same sentence: the model must copy from its context."""
    words = rng.sample(COURSE_WORDS, k=rng.randint(2, 5))
    phrase = " ".join(words)
    kind = rng.randrange(7)
    if kind >= 3:
        # a random string cannot be remembered from training, only copied from earlier in the text
        code = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(3, 8)))
        if kind in (3, 4):
            return (f'The character-level tokenizer splits the string "{code}" into {len(code)} tokens: '
                    f'{", ".join(code)}. Decoding them gives back "{code}".')
        return f'The code "{code}" is copied exactly: "{code}". The copy of "{code}" has {len(code)} characters.'
    if kind == 0:
        return (f'Tokenizing "{phrase}" one character at a time gives {len(phrase)} tokens, '
                f'and decoding them gives back "{phrase}".')
    if kind == 1:
        return (f'The text "{phrase}" has {len(words)} words; its first word is "{words[0]}" '
                f'and its last word is "{words[-1]}".')
    w = words[0]
    return f'Spelled out, the word "{w}" is {", ".join(w)}, which is {len(w)} characters.'


EXAMPLES = [dot_example, softmax_example, scaling_example, ratio_example, kl_example, td_example,
            char_example, position_example]


def _lower_first(s: str) -> str:
    # "The model" → "the model", but keep acronyms and symbols: "PPO", "RLHF", "π_θ".
    return s[0].lower() + s[1:] if len(s) > 1 and s[0].isupper() and s[1].islower() else s


def _sentences(topic: str) -> list[str]:
    return [line.strip() for line in TOPICS[topic].strip().splitlines() if line.strip()]


def paragraph(rng: random.Random) -> str:
    sentences = _sentences(rng.choice(list(TOPICS)))
    picked = rng.sample(sentences, k=min(len(sentences), rng.randint(3, 7)))
    if len(picked) > 1 and rng.random() < 0.4:
        i = rng.randrange(1, len(picked))
        picked[i] = rng.choice(CONNECTORS) + _lower_first(picked[i])
    return " ".join(picked)


def qa(rng: random.Random) -> str:
    pairs = rng.sample(QA, k=rng.randint(1, 3))
    return " ".join(f"Question: {q} Answer: {a}" for q, a in pairs)


def document(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.45:
        return paragraph(rng)
    if kind < 0.57:
        return qa(rng)
    if kind < 0.85:
        return copy_example(rng)
    return rng.choice(EXAMPLES)(rng)


def build() -> str:
    rng = random.Random(SEED)
    docs: list[str] = []
    size = 0
    while size < TARGET_CHARS:
        docs.append(document(rng))
        size += len(docs[-1]) + 1
    return "\n".join(docs) + "\n"


def write_or_check(path: Path, text: str, argv: list[str], script: str) -> int:
    """Write the corpus, or with --check say whether the file already holds exactly this text (exit 1 if not)."""
    if "--check" in argv:
        same = path.exists() and path.read_text(encoding="utf-8") == text
        print(f"{path.name} is up to date" if same else f"{path.name} differs from what {script} writes")
        return 0 if same else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(text):,} characters, {text.count(chr(10)):,} documents)")
    return 0


def main(argv: list[str] | None = None) -> int:
    return write_or_check(CORPUS, build(), sys.argv[1:] if argv is None else argv, "make_corpus.py")


if __name__ == "__main__":
    raise SystemExit(main())
