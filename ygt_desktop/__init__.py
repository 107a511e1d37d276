"""ygt_desktop — 基层公共卫生服务桌面系统."""

__version__ = "0.1.0"
