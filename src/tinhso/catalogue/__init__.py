"""The procedure catalogue (thủ tục hành chính): legal times, fees, documents, workflows."""
