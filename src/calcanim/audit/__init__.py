"""`calcanim audit`: play a clip's scene without drawing or encoding, look at every text and line at
sampled moments, and report layout and colour problems (overlap, crossed, outside, too_small,
low_contrast)."""
