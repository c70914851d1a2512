import sys; print("manifest todo")
