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

from scratchml._checks import check_features, check_mlp, check_predict
from scratchml.activations import ReLU, Sigmoid
from scratchml.layers import Dense, Layer

# --8<-- [end:imports]

# --8<-- [start:mlp]
ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid}  # the choices of MLP's activation


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
        sizes, rng, dtype = check_mlp(layer_sizes, activation, init, rng, dtype)
        self.layers: list[Layer] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            self.layers.append(Dense(n_in, n_out, rng=rng, dtype=dtype, init=init))
            self.layers.append(ACTIVATIONS[activation]())
        self.layers.pop()  # no activation after the output layer: it stays linear
        self.children = {str(i): layer for i, layer in enumerate(self.layers)}

    # --8<-- [start:mlp_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_features("MLP.forward", x, self.layers[0].n_in)
        for layer in self.layers:
            x = layer.forward(x)  # (batch, width of this layer)
        return x  # (batch, n_out)

    # --8<-- [end:mlp_forward]

    # --8<-- [start:mlp_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dy = layer.backward(dy)  # (batch, width of the layer below)
        return dy  # (batch, n_in)

    # --8<-- [end:mlp_backward]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The predicted class of each row: the index of the largest output.

        For regression, use ``model(x)``: the outputs themselves are the prediction.
        """
        x = check_predict(x, self.layers[0].n_in, self.layers[-1].n_out)
        return self.forward(x).argmax(axis=-1)  # (batch, n_out) -> (batch,)


# --8<-- [end:mlp]
