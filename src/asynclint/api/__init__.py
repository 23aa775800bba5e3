"""What a rule may import: the Rule base class with its examples, and FileContext."""
