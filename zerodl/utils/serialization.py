"""The Keras 3 dict form of configurable objects: {module, class_name, config, registered_name}."""


def serialize(obj, module):
    if obj is None:
        return None
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": None}
