"""rigport.economics"""
