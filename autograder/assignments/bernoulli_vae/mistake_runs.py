"""Train plausible mistakes of the solution (a tenth of the steps, BCE in the loss) with seed 0 and measure them like
a submission, to see where they land against the pass marks. Run under the training lock:
`PYTHONPATH=. python -m autograder.assignments.bernoulli_vae.mistake_runs tenth bce_loss`."""
import json, sys, time
from pathlib import Path
import nbformat, papermill
from autograder.engine.assignment import load
from autograder.engine.config import Config
from autograder.engine.reference import measure

a = load("bernoulli_vae"); c = Config()
BCE = '''def negative_elbo(x, lam, mu, sigma, beta=1.0):
    reconstruction = F.binary_cross_entropy(lam, x, reduction="none").flatten(start_dim=1).sum(dim=1)
    kl = 0.5 * (mu**2 + sigma**2 - 1 - 2 * torch.log(sigma)).sum(dim=1)
    return (reconstruction + beta * kl).mean()'''
VARIANTS = {
    "tenth": ({"train_images": 3000}, None),
    "bce_loss": ({}, ("elbo_loss", BCE)),
    "beta_10": ({"beta": 10.0}, None),
}
for name in sys.argv[1:]:
    params, replace = VARIANTS[name]
    out = Path(c.cache_dir) / "bernoulli_vae-mistakes" / name
    out.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(a.solution_notebook, as_version=4)
    if replace:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == replace[0]:
                cell.source = replace[1]
    nbformat.write(nb, out / "in.ipynb")
    t = time.time()
    papermill.execute_notebook(str(out / "in.ipynb"), str(out / "out.ipynb"),
                               parameters={"data_root": str(c.data_root), "seed": 0, **params}, cwd=str(out),
                               kernel_name="python3", progress_bar=False)
    figures = measure(assignment=a, config=c, weights_dir=out)
    print(name, f"{time.time() - t:.0f} s", json.dumps(figures), flush=True)
