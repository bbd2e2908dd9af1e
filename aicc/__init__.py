"""aicc: Automotive Intelligent Contact Center (event-driven choreography over EventBridge + SQS)."""

__version__ = "0.1.0"
