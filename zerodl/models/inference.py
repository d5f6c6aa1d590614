"""Inference by replay: predict records a model's forward pass once, then repeats only the array math.

On a small batch, most of a forward pass is Python around the arithmetic: layer calls, op objects, Tensors.
The first predict call for a given input signature runs the model as usual while recording every op; a
`Plan` then keeps each op with where its inputs come from -- the model's inputs, an earlier op's result, a
weight (read from its Variable at every call, so training and set_weights show) or a constant -- and later
calls run only the ops' `forward` functions on arrays, in the same order.

Replaying is sound only when a layer's inference call is a fixed sequence of ops for given input shapes:
no randomness, no Python decisions on input values, every array that can change passed as a Variable.
Layers declare it (`Layer._replays`); a model replays only if all its layers do. A plan follows the
weights' values, not later changes to a layer's attributes; Sequential.add and pop drop the plans.
"""
import threading

from .. import autodiff
from ..autodiff import Tensor, Variable

_INPUT, _WEIGHT, _CONSTANT = 0, 1, 2  # where an op's operand comes from; _INPUT: a slot of the plan


class Plan:
    """The recorded ops of one forward pass: steps of (op.forward, operands) and the output slots.
    Slots 0..k-1 hold the k model inputs, slot k + i the result of step i."""

    def __init__(self, steps, output_slots):
        self.steps, self.output_slots = steps, output_slots
        self._busy = threading.Lock()

    def __call__(self, arrays):
        """The output arrays; None while another thread replays this plan (its ops keep per-call state
        on themselves, so they serve one call at a time: the caller then runs the model eagerly)."""
        if not self._busy.acquire(blocking=False):
            return None
        try:
            slots = list(arrays)
            with autodiff.no_grad():  # as when recorded: ops keep nothing for a backward pass
                for forward, operands in self.steps:
                    slots.append(forward(*[slots[x] if kind == _INPUT else x.value if kind == _WEIGHT else x
                                           for kind, x in operands]))
            return [slots[i] for i in self.output_slots]
        finally:
            self._busy.release()


def run(model, arrays):
    """model's outputs (arrays) on input arrays, run layer by layer in inference mode."""
    return [t.value for t in model._forward([Tensor(a) for a in arrays], training=False)]


def run_and_record(model, arrays):
    """run(model, arrays), and the Plan that replays it (None when the model's layers do not all allow
    replay, or the record shows an operand it cannot place, such as a Tensor built outside the ops)."""
    if not model._replayable():
        return run(model, arrays), None
    inputs = [Tensor(a) for a in arrays]
    with autodiff.recording() as recorded:
        outputs = model._forward(inputs, training=False)
    return [t.value for t in outputs], _plan(inputs, recorded, outputs)


def _plan(inputs, recorded, outputs):
    """The Plan of the recorded (op, result) pairs, or None if an operand is neither a model input, an
    earlier result, a Variable nor a plain constant."""
    slot_of = {id(t): i for i, t in enumerate(inputs)}
    steps = []
    for op, result in recorded:
        operands = []
        for x in op.inputs:
            if isinstance(x, Variable):
                operands.append((_WEIGHT, x))
            elif isinstance(x, Tensor):
                if id(x) not in slot_of:
                    return None
                operands.append((_INPUT, slot_of[id(x)]))
            elif isinstance(x, (list, tuple, dict)):  # may hold tensors of this pass: not a constant
                return None
            else:
                operands.append((_CONSTANT, x))
        slot_of[id(result)] = len(inputs) + len(steps)
        steps.append((op.forward, operands))
    if any(id(t) not in slot_of for t in outputs):
        return None
    return Plan(steps, [slot_of[id(t)] for t in outputs])
