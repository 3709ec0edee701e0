"""The multilayer perceptron: dense layers with an activation between each pair.

``MLP([64, 128, 10])`` builds ``Dense(64, 128) -> ReLU -> Dense(128, 10)``. The output
layer is linear (no activation): its outputs are raw scores (logits) for classification,
to be fed to ``cross_entropy``, or the predicted numbers for regression. A ReLU on the
output would make every negative prediction impossible, a classic mistake.

Forward runs through the layers in order; backward runs through them in reverse,
each layer turning the gradient with respect to its output into the gradient with
respect to its input (the chain rule, one layer at a time).
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    as_float_array,
    check_choice,
    check_float_dtype,
    check_last_dim,
    check_positive_int,
    check_rng,
    check_shape,
)
from scratchml.activations import ReLU, Sigmoid
from scratchml.layers import Dense, Layer

# --8<-- [end:imports]

ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid}


# --8<-- [start:mlp]
class MLP(Layer):
    """A stack ``Dense, act, Dense, act, ..., Dense`` with a linear output layer.

    Parameters
    ----------
    layer_sizes : sequence of int
        Widths from input to output, at least two: ``[n_in, hidden..., n_out]``.
    activation : {"relu", "sigmoid"}
        The nonlinearity between dense layers (never after the last one).
    rng : int or numpy.random.Generator, optional
        Seed or generator for the initial weights; one stream serves every layer.
    dtype : numpy dtype, default float32
    init : {"lecun", "he"}, default "lecun"
        The initialization of every ``Dense`` layer (see ``Dense``).

    Attributes
    ----------
    layers : list of Layer
        The layers in forward order; also registered as ``children`` named ``"0"``,
        ``"1"``, ..., so ``named_params`` yields ``"0.W", "0.b", "2.W", ...``.
    """

    def __init__(
        self, layer_sizes, activation="relu", rng=None, dtype=np.float32, init="lecun"
    ) -> None:
        super().__init__()
        if np.ndim(layer_sizes) == 0:  # MLP(64): a single number is not a list of sizes
            layer_sizes = [layer_sizes]
        sizes = [check_positive_int("MLP", "layer_sizes entry", n) for n in layer_sizes]
        if len(sizes) < 2:
            raise ValueError(
                "MLP: layer_sizes must list at least an input and an output size, got "
                f"{sizes}"
            )
        check_choice("MLP", "activation", activation, ACTIVATIONS)
        check_choice("MLP", "init", init, ("lecun", "he"))
        rng, dtype = (
            check_rng("MLP", "rng", rng),
            check_float_dtype("MLP", "dtype", dtype),
        )
        self.layers: list[Layer] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            self.layers.append(Dense(n_in, n_out, rng=rng, dtype=dtype, init=init))
            self.layers.append(ACTIVATIONS[activation]())
        self.layers.pop()  # no activation after the output layer: it stays linear
        self.children = {str(i): layer for i, layer in enumerate(self.layers)}

    # --8<-- [start:mlp_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array("MLP.forward", "x", x)
        check_last_dim("MLP.forward", "x", x, self.layers[0].n_in)
        for layer in self.layers:
            x = layer.forward(x)  # (batch, width of this layer)
        return x  # (batch, n_out)

    # --8<-- [end:mlp_forward]

    # --8<-- [start:mlp_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        x = self.layers[-1]._cached(
            "_x", "MLP.backward"
        )  # (batch, width): output layer's input
        check_shape(
            "MLP.backward",
            "dy",
            dy,
            x.shape[:-1] + (self.layers[-1].n_out,),
            "the output",
        )
        for layer in reversed(self.layers):
            dy = layer.backward(dy)  # (batch, width of the layer below)
        return dy  # (batch, n_in)

    # --8<-- [end:mlp_backward]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The predicted class of each row: the index of the largest output.

        For regression, use ``model(x)``: the outputs themselves are the prediction.
        """
        x = as_float_array("MLP.predict", "x", x)
        check_last_dim("MLP.predict", "x", x, self.layers[0].n_in)
        out = self.forward(x)  # (batch, n_out)
        if out.shape[-1] == 1:
            raise ValueError(
                "MLP.predict returns class labels, but this MLP has a single output; "
                "call model(x) to get regression values"
            )
        return out.argmax(axis=-1)  # (batch,)


# --8<-- [end:mlp]
