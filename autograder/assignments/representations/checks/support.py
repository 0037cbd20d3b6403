"""What several checks share."""

# Said after a lost weight point: what usually causes it, without presuming which one it was.
CAUSES = ("mnist_cnn.pt saved before training ended or from another model, fewer batches or epochs than the "
          "notebook's, or a changed loss, optimiser or learning rate")


def beyond_the_pass_mark(measured: str, mark: str) -> str:
    """A lost weight point's message: what was measured, the pass mark, that the reference runs reach it, the
    usual causes (the tests check that every committed reference run passes every mark)."""
    return f"{measured}, {mark}, which every reference run of the solution reaches. Usual causes: {CAUSES}"
