"""The course's figures, one module per notebook: ``FIGURES`` maps a file name in figures/ to its function.

``optimlab tour`` writes them all; the notebook named by the file's number shows each one.
"""

from . import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11
from .common import loss_curves, race, race_animation

#: file name -> figure function, in the lecture's order (what ``optimlab tour`` writes).
FIGURES = {**ch01.FIGURES, **ch02.FIGURES, **ch03.FIGURES, **ch04.FIGURES, **ch05.FIGURES, **ch06.FIGURES,
           **ch07.FIGURES, **ch08.FIGURES, **ch09.FIGURES, **ch10.FIGURES, **ch11.FIGURES}

__all__ = ["FIGURES", "race", "race_animation", "loss_curves"]
