"""What people read: texts, labels and keyboards, one module per subject."""
